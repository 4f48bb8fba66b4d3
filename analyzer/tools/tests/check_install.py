#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ctest analyzer-tools-install: installs the analyzer component of a build into a scratch
prefix and checks that the installed runner works on its own: it imports its installed
package, loads the installed plugin without being told where it is, finds a finding in a
small project and links the rule to the installed check page in its SARIF log.

usage: check_install.py --cmake CMAKE --build-dir BUILD --prefix DIR --clang-tidy BIN
                        --source-root FRAMEALLOC_ROOT
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import urllib.parse

SOURCE = """#include <framealloc/annotations.h>
void *scratch(unsigned n) FA_RETURNS_FRAME;
static void *g_keep;
void keep(void) {
  g_keep = scratch(16);
}
"""


def fail(msg, proc=None):
    sys.stderr.write(f"check_install: FAIL: {msg}\n")
    if proc is not None:
        sys.stderr.write(proc.stdout + proc.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    for name in ("--cmake", "--build-dir", "--prefix", "--clang-tidy", "--source-root"):
        ap.add_argument(name, required=True)
    args = ap.parse_args()
    prefix = os.path.abspath(args.prefix)
    shutil.rmtree(prefix, ignore_errors=True)
    proc = subprocess.run([args.cmake, "--install", args.build_dir, "--prefix", prefix,
                           "--component", "analyzer"], capture_output=True, text=True)
    if proc.returncode != 0:
        fail("cmake --install failed", proc)
    runner = os.path.join(prefix, "bin", "framealloc-tidy-run")
    if not os.access(runner, os.X_OK):
        fail(f"{runner} is not installed as an executable")
    installed = [os.path.relpath(os.path.join(d, f), prefix)
                 for d, _, files in os.walk(prefix) for f in files]
    for needed in ("framealloc_tidy/runner.py", "framealloc_tidy/sarif.py",
                   "docs/analyzer/frame-escape.md", "framealloc-tidy.so"):
        if not any(p.endswith(needed) for p in installed):
            fail(f"{needed} is not installed; installed: {sorted(installed)}")
    if any("__pycache__" in p for p in installed):
        fail("__pycache__ was installed")

    # A project elsewhere: no plugin under its build directory, no docs under its root, and
    # the runner run from a copy of the prefix's bin (realpath keeps the relative lookups).
    project = os.path.join(prefix, "..", "install-check-project")
    project = os.path.abspath(project)
    shutil.rmtree(project, ignore_errors=True)
    os.makedirs(os.path.join(project, "build"))
    src = os.path.join(project, "keep.c")
    with open(src, "w", encoding="utf-8") as f:
        f.write(SOURCE)
    db = [{"directory": os.path.join(project, "build"), "file": src,
           "arguments": ["clang", "-c", src, "-I" + os.path.join(args.source_root,
                                                                "annotations")]}]
    with open(os.path.join(project, "build", "compile_commands.json"), "w") as f:
        json.dump(db, f)
    out = os.path.join(project, "out.sarif")
    env = {k: v for k, v in os.environ.items() if k not in ("FRAMEALLOC_TIDY_PLUGIN",
                                                             "PYTHONPATH")}
    proc = subprocess.run([sys.executable, runner, "-p", os.path.join(project, "build"),
                           "--clang-tidy", args.clang_tidy, "--sarif", out,
                           "--source-root", project, "--no-snippets"],
                          capture_output=True, text=True, env=env, cwd=project)
    if proc.returncode != 1:
        fail(f"expected exit status 1 (findings), got {proc.returncode}", proc)
    if "keep.c:5:3: warning: frame memory stored in global 'g_keep'" not in proc.stdout:
        fail("the installed plugin did not report the escape", proc)
    with open(out, encoding="utf-8") as f:
        log = json.load(f)
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    page = os.path.join(prefix, "share", "framealloc", "docs", "analyzer", "frame-escape.md")
    want = "file://" + urllib.parse.quote(os.path.realpath(page), safe="/")
    if rule.get("helpUri") != want and rule.get("helpUri") != "file://" + \
            urllib.parse.quote(page, safe="/"):
        fail(f"rule helpUri {rule.get('helpUri')!r}, expected {want!r}")
    for key in ("shortDescription", "fullDescription"):
        if not rule.get(key, {}).get("text"):
            fail(f"rule has no {key}: {rule}")
    proc = subprocess.run([sys.executable, runner, "--version"], capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0 or "framealloc-tidy-run" not in proc.stdout:
        fail("--version of the installed runner", proc)
    shutil.rmtree(project, ignore_errors=True)
    print(f"check_install: OK: {len(installed)} files installed under {prefix}; the installed "
          "runner used the installed plugin and linked the installed check page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
