# SPDX-License-Identifier: MIT
# lit configuration of the framealloc-tidy tests (lit-tests/).
#
# Through CMake (ctest -L analyzer, or the check-analyzer target) the generated
# lit.site.cfg.py sets the tool paths and loads this file. Run directly on the
# source tree, it takes them from the environment:
#   FRAMEALLOC_TIDY_PLUGIN=/path/to/framealloc-tidy.so \
#   python3 /usr/lib/llvm-14/build/utils/lit/lit.py -sv lit-tests
# (optional: FRAMEALLOC_CLANG_TIDY, FRAMEALLOC_LLVM_TOOLS_DIR,
#  FRAMEALLOC_LIT_EXEC_ROOT).
#
# Substitutions for RUN lines:
#   %check_framealloc_tidy  the test runner (utils/check_framealloc_tidy.py)
#   %clang_tidy             clang-tidy --load=<plugin>
#   %framealloc_plugin      the plugin path
#   %framealloc_includes    -I flags for <framealloc.h>, the annotations, Inputs/
#   %repo_root, %inputs, %python
# FileCheck, not, count and split-file come from the LLVM 14 tools directory.

import os
import sys
import tempfile

import lit.formats

config.name = "framealloc-tidy"
config.test_format = lit.formats.ShTest(not lit_config.isWindows)
config.suffixes = [".c", ".cpp", ".test"]
# robustness/ holds the system-header run, driven by ctest (analyzer/tools/CMakeLists.txt).
config.excludes = ["Inputs", "utils", "robustness", "CMakeLists.txt", "README.md"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))


def setting(attr, env, default=None):
    value = getattr(config, attr, None) or os.environ.get(env) or default
    return value


repo_root = setting("framealloc_repo_root", "FRAMEALLOC_REPO_ROOT",
                    os.path.dirname(config.test_source_root))
tools_dir = setting("llvm_tools_dir", "FRAMEALLOC_LLVM_TOOLS_DIR", "/usr/lib/llvm-14/bin")
clang_tidy = setting("clang_tidy", "FRAMEALLOC_CLANG_TIDY",
                     os.path.join(tools_dir, "clang-tidy"))
plugin = setting("framealloc_tidy_plugin", "FRAMEALLOC_TIDY_PLUGIN")
python = setting("python_executable", "FRAMEALLOC_PYTHON", sys.executable)
if not plugin or not os.path.exists(plugin):
    lit_config.fatal("framealloc-tidy plugin not found (%r): build the framealloc-tidy target "
                     "or set FRAMEALLOC_TIDY_PLUGIN" % plugin)
if not os.path.exists(clang_tidy):
    lit_config.fatal("clang-tidy not found at %r" % clang_tidy)

if not getattr(config, "test_exec_root", None) or \
        config.test_exec_root == config.test_source_root:
    config.test_exec_root = os.environ.get(
        "FRAMEALLOC_LIT_EXEC_ROOT", os.path.join(tempfile.gettempdir(), "framealloc-lit"))

inputs = os.path.join(config.test_source_root, "Inputs")
include_dirs = [os.path.join(repo_root, "annotations"),
                os.path.join(repo_root, "runtime", "include"), inputs]
runner = os.path.join(config.test_source_root, "utils", "check_framealloc_tidy.py")

config.environment["PATH"] = os.pathsep.join([tools_dir, config.environment.get("PATH", "")])
config.substitutions.append((
    "%check_framealloc_tidy",
    " ".join([python, runner, "--clang-tidy=" + clang_tidy, "--plugin=" + plugin,
              "--filecheck=" + os.path.join(tools_dir, "FileCheck")]
             + ["--include=" + d for d in include_dirs])))
config.substitutions.append(("%clang_tidy", clang_tidy + " --load=" + plugin))
config.substitutions.append(("%framealloc_plugin", plugin))
config.substitutions.append(("%framealloc_includes", " ".join("-I" + d for d in include_dirs)))
config.substitutions.append(("%repo_root", repo_root))
config.substitutions.append(("%inputs", inputs))
config.substitutions.append(("%python", python))
