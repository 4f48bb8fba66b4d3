# SPDX-License-Identifier: MIT
"""Tests of framealloc-tidy-run: exit codes, plugin load check, failures, filters,
parallelism, grouping, SARIF output. Most use a scripted fake clang-tidy
(fake_clang_tidy.py) so every outcome is deterministic; the last classes use the real
clang-tidy-14 and, when FRAMEALLOC_TIDY_PLUGIN is set, the real plugin."""

import json
import os
import subprocess
import sys
import time
import unittest

import support
from framealloc_tidy import runner, sarif_check


class RunnerTestBase(support.TempDirMixin, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.build = os.path.join(self.tmp, "build")
        os.makedirs(self.build)
        self.sources = []

    def add_source(self, name, text):
        path = self.write(os.path.join("src", name), text)
        self.sources.append(path)
        self.write_db()
        return path

    def write_db(self, extra_flags=()):
        entries = [{"directory": self.build, "file": path,
                    "arguments": ["clang", "-std=gnu11", *extra_flags, "-c", path]}
                   for path in self.sources]
        self.write(os.path.join("build", "compile_commands.json"), json.dumps(entries))

    def run_tool(self, *args, env_extra=None, timeout=120):
        env = {k: v for k, v in os.environ.items()
               if k not in ("CLANG_TIDY", "FRAMEALLOC_TIDY_PLUGIN")}
        env.update(env_extra or {})
        proc = subprocess.run([sys.executable, support.RUNNER, "-p", self.build, *args],
                              capture_output=True, text=True, cwd=self.tmp, env=env,
                              timeout=timeout)
        return proc


class WithFake(RunnerTestBase):
    def setUp(self):
        super().setUp()
        self.fake, self.fake_plugin = support.make_fake_clang_tidy(self.tmp)

    def run_fake(self, *args, **kw):
        return self.run_tool("--clang-tidy", self.fake, "--plugin", self.fake_plugin, *args, **kw)


class ExitCodes(WithFake):
    def test_clean_is_zero(self):
        self.add_source("a.c", "int a;\n")
        proc = self.run_fake()
        self.assertEqual(proc.returncode, runner.EXIT_CLEAN, proc.stderr)
        self.assertIn("0 finding(s) in 0 file(s); 1 translation unit(s) analysed, 0 failed",
                      proc.stdout)

    def test_findings_are_one_and_grouped_per_file(self):
        self.add_source("b.c", "int b;\n  int x; // expect: framealloc-frame-pairing frame begun"
                               " here is not ended\n")
        self.add_source("a.c", "int a;\nint y;\n   p = q; // expect: framealloc-frame-escape "
                               "frame memory 'p' escapes\n  // note: allocated here\n")
        proc = self.run_fake("--no-snippets")
        self.assertEqual(proc.returncode, runner.EXIT_FINDINGS, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[:4], [
            "--- src/a.c: 1 diagnostic",
            "src/a.c:3:4: warning: frame memory 'p' escapes [framealloc-frame-escape]",
            "src/a.c:4:3: note: allocated here",
            ""])
        self.assertEqual(lines[4:6], [
            "--- src/b.c: 1 diagnostic",
            "src/b.c:2:3: warning: frame begun here is not ended [framealloc-frame-pairing]"])
        self.assertIn("2 finding(s) in 2 file(s)", proc.stdout)

    def test_snippets_show_the_line_and_caret(self):
        self.add_source("a.c", "\tx = 1; // expect: framealloc-frame-escape m\n")
        proc = self.run_fake()
        self.assertIn("src/a.c:1:2: warning: m [framealloc-frame-escape]\n"
                      " x = 1; // expect: framealloc-frame-escape m\n ^\n", proc.stdout)

    def test_checks_option_selects_checks(self):
        self.add_source("a.c", "x; // expect: bugprone-branch-clone dup\n")
        self.assertEqual(self.run_fake().returncode, runner.EXIT_CLEAN)
        proc = self.run_fake("--checks=-*,framealloc-*,bugprone-*")
        self.assertEqual(proc.returncode, runner.EXIT_FINDINGS, proc.stderr)
        self.assertIn("[bugprone-branch-clone]", proc.stdout)

    def test_warnings_as_errors_are_findings_not_failures(self):
        self.add_source("a.c", "x; // expect: framealloc-frame-escape m\n// error-level\n")
        proc = self.run_fake()
        self.assertEqual(proc.returncode, runner.EXIT_FINDINGS, proc.stderr)
        self.assertIn("error: m [framealloc-frame-escape]", proc.stdout)

    def test_bad_command_line_is_two(self):
        self.add_source("a.c", "int a;\n")
        self.assertEqual(self.run_fake("--files", "(").returncode, runner.EXIT_USAGE)
        self.assertEqual(self.run_fake("-j", "0").returncode, runner.EXIT_USAGE)
        self.assertEqual(self.run_fake("--bogus").returncode, runner.EXIT_USAGE)


class ToolFailures(WithFake):
    def test_plugin_that_does_not_load(self):
        self.add_source("a.c", "int a;\n")
        broken = self.write("broken.so", "not a plugin\n")
        proc = self.run_tool("--clang-tidy", self.fake, "--plugin", broken)
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("did not load", proc.stderr)
        self.assertIn("-load request ignored", proc.stderr)  # clang-tidy's own words

    def test_plugin_missing_or_not_found(self):
        self.add_source("a.c", "int a;\n")
        proc = self.run_tool("--clang-tidy", self.fake, "--plugin", "/nonexistent/x.so")
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("plugin not found", proc.stderr)
        proc = self.run_tool("--clang-tidy", self.fake)  # nothing under the build dir
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("build the framealloc-tidy target", proc.stderr)

    def test_plugin_found_in_build_dir_and_from_environment(self):
        self.add_source("a.c", "int a;\n")
        nested = os.path.join(self.build, "analyzer")
        os.makedirs(nested)
        os.replace(self.fake_plugin, os.path.join(nested, "libframealloc-tidy.so"))
        self.assertEqual(self.run_tool("--clang-tidy", self.fake).returncode, 0)
        proc = self.run_tool(env_extra={"CLANG_TIDY": self.fake, "FRAMEALLOC_TIDY_PLUGIN":
                                        os.path.join(nested, "libframealloc-tidy.so")})
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_no_check_enabled(self):
        self.add_source("a.c", "int a;\n")
        proc = self.run_fake("--checks=-*")
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("no check is enabled", proc.stderr)

    def test_missing_or_bad_compile_commands(self):
        proc = self.run_fake()
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("CMAKE_EXPORT_COMPILE_COMMANDS", proc.stderr)
        self.write("build/compile_commands.json", "{not json")
        self.assertEqual(self.run_fake().returncode, runner.EXIT_FAILURE)
        self.write("build/compile_commands.json", '[{"file": "a.c"}]')
        proc = self.run_fake()
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("lacks 'file' or 'directory'", proc.stderr)

    def test_crash_is_a_failure_but_other_findings_are_kept(self):
        self.add_source("a.c", "// crash\n")
        self.add_source("b.c", "x; // expect: framealloc-frame-escape kept\n")
        out = os.path.join(self.tmp, "out.sarif")
        proc = self.run_fake("--sarif", out)
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("src/a.c: clang-tidy crashed", proc.stderr)
        self.assertIn("Stack dump:", proc.stderr)
        self.assertIn("kept [framealloc-frame-escape]", proc.stdout)
        with open(out, encoding="utf-8") as f:
            log = json.load(f)
        self.assertEqual(sarif_check.check(log), [])
        inv = log["runs"][0]["invocations"][0]
        self.assertFalse(inv["executionSuccessful"])
        self.assertIn("crashed", inv["toolExecutionNotifications"][0]["message"]["text"])
        self.assertEqual(len(log["runs"][0]["results"]), 1)

    def test_compile_error_is_a_failure(self):
        self.add_source("a.c", "int x // compile-error\n")
        proc = self.run_fake()
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("does not compile", proc.stderr)
        self.assertIn("error: expected ';' [clang-diagnostic-error]", proc.stdout)

    def test_unexplained_nonzero_exit_is_a_failure(self):
        self.add_source("a.c", "// exit: 1\n")
        proc = self.run_fake()
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("clang-tidy failed (exit status 1)", proc.stderr)

    def test_timeout(self):
        self.add_source("a.c", "// sleep: 30\n")
        start = time.monotonic()
        proc = self.run_fake("--timeout", "1")
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("timed out after 1 s", proc.stderr)
        self.assertLess(time.monotonic() - start, 20)


class Selection(WithFake):
    def test_files_and_exclude_filters(self):
        self.add_source("keep.c", "x; // expect: framealloc-frame-escape in keep\n")
        self.add_source("skip.c", "x; // expect: framealloc-frame-escape in skip\n")
        proc = self.run_fake("--files", r"keep\.c$")
        self.assertIn("in keep", proc.stdout)
        self.assertNotIn("in skip", proc.stdout)
        proc = self.run_fake("--exclude", "keep")
        self.assertNotIn("in keep", proc.stdout)
        self.assertIn("in skip", proc.stdout)
        proc = self.run_fake("--files", "nothing-matches")
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("nothing to analyse", proc.stderr)

    def test_duplicate_entries_run_once(self):
        path = self.add_source("a.c", "x; // expect: framealloc-frame-escape once\n")
        self.sources.append(path)
        self.write_db()
        proc = self.run_fake("-q")
        self.assertEqual(proc.stdout.count("once [framealloc-frame-escape]"), 1)
        self.assertEqual(proc.stdout.count("---"), 1)

    def test_runs_in_parallel(self):
        # Each TU waits until all four run at once: a runner that does not run -j4 TUs
        # concurrently fails them (no timing threshold, so a loaded machine cannot flake it).
        meet = os.path.join(self.tmp, "rendezvous")
        for i in range(4):
            self.add_source(f"s{i}.c", f"// rendezvous: {meet} 4\n")
        proc = self.run_fake("-j", "4")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(len(os.listdir(meet)), 4)
        self.assertIn("[4/4 100%]", proc.stderr)

    def test_progress_names_long_running_tus(self):
        self.add_source("slow.c", "// sleep: 2.5\n")
        self.add_source("fast.c", "int a;\n")
        proc = self.run_fake("-j", "2", "--progress-interval", "0.5")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stderr.splitlines()
        fast = next(i for i, l in enumerate(lines) if l.startswith("[1/2 50%] src/fast.c: "))
        self.assertRegex(lines[fast], r"\(\d+\.\d s; \d+:\d\d elapsed, about \d+:\d\d left\)$")
        beats = [l for l in lines[fast + 1:] if "running:" in l]
        self.assertTrue(beats, proc.stderr)
        self.assertRegex(beats[0], r"^framealloc-tidy-run: 1/2 done, \d+:\d\d elapsed; "
                                   r"running: src/slow.c \(\d+ s\)$")
        self.assertRegex(lines[-1], r"^\[2/2 100%\] src/slow.c: 0 diagnostic\(s\) "
                                    r"\(\d+\.\d s; \d+:\d\d elapsed\)$")
        quiet = self.run_fake("-j", "2", "--progress-interval", "0.5", "-q")
        self.assertEqual(quiet.stderr, "")
        self.assertEqual(self.run_fake("--progress-interval", "-1").returncode,
                         runner.EXIT_USAGE)

    def test_header_finding_reported_once_for_all_tus(self):
        header = self.write("src/common.h", "static int shared;\n")
        for name in ("a.c", "b.c", "c.c"):
            self.add_source(name, f"x; // expect: framealloc-frame-escape in header\n"
                                  f"// header: {header}\n")
        proc = self.run_fake("--no-snippets", "-q")
        self.assertEqual(proc.returncode, runner.EXIT_FINDINGS)
        self.assertEqual(proc.stdout.count("in header [framealloc-frame-escape]"), 1)
        self.assertIn("--- src/common.h: 1 diagnostic", proc.stdout)

    def test_export_fixes_dir_and_quiet(self):
        self.add_source("a.c", "x; // expect: framealloc-frame-escape m\n// fixit: FA_X \n")
        self.add_source("b.c", "int clean;\n")
        keep = os.path.join(self.tmp, "fixes")
        proc = self.run_fake("--export-fixes-dir", keep, "-q")
        self.assertEqual(proc.returncode, runner.EXIT_FINDINGS)
        self.assertEqual(proc.stderr, "")
        self.assertNotIn("finding(s)", proc.stdout)  # no summary with -q
        self.assertEqual(os.listdir(keep), ["0000-a.c.yaml"])  # no YAML for a clean TU

    def test_sarif_output(self):
        self.add_source("a.c", "x; // expect: framealloc-frame-escape escapes\n"
                               "// note: begun here\n// fixit: FA_RETURNS_FRAME \n")
        out = os.path.join(self.tmp, "reports", "out.sarif")  # directory created on demand
        proc = self.run_fake("--sarif", out, "--source-root", self.tmp)
        self.assertEqual(proc.returncode, runner.EXIT_FINDINGS, proc.stderr)
        with open(out, encoding="utf-8") as f:
            log = json.load(f)
        self.assertEqual(sarif_check.check(log), [])
        run = log["runs"][0]
        self.assertTrue(run["invocations"][0]["executionSuccessful"])
        self.assertEqual([r["id"] for r in run["tool"]["driver"]["rules"]],
                         ["framealloc-frame-escape"])
        self.assertIn("clang-tidy 14.0.6-fake", run["tool"]["driver"]["fullName"])
        res = run["results"][0]
        self.assertEqual(res["locations"][0]["physicalLocation"]["artifactLocation"],
                         {"uri": "src/a.c", "uriBaseId": "%SRCROOT%"})
        self.assertEqual(res["relatedLocations"][0]["message"]["text"], "begun here")
        self.assertEqual(res["message"]["text"], "escapes ([begun here](1))")
        rule = run["tool"]["driver"]["rules"][0]
        self.assertEqual(rule["shortDescription"]["text"], "Frame memory outlives its frame")
        # No docs/analyzer under the source root: the pages checked out with the tool.
        self.assertTrue(rule["helpUri"].startswith("file:///"), rule)
        self.assertTrue(rule["helpUri"].endswith("/docs/analyzer/frame-escape.md"), rule)
        proc = self.run_fake("--sarif", out, "--source-root", self.tmp,
                             "--docs-base-url", "https://example.org/fa/docs/analyzer")
        with open(out, encoding="utf-8") as f:
            rule = json.load(f)["runs"][0]["tool"]["driver"]["rules"][0]
        self.assertEqual(rule["helpUri"], "https://example.org/fa/docs/analyzer/frame-escape.md")
        self.assertEqual(res["fixes"][0]["artifactChanges"][0]["replacements"][0]
                         ["insertedContent"]["text"], "FA_RETURNS_FRAME")


@unittest.skipUnless(support.real_clang_tidy(), "clang-tidy-14 not installed")
class RealClangTidy(RunnerTestBase):
    """The real tool with its built-in checks: proves the runner's assumptions about
    clang-tidy 14 (export-fixes layout, exit statuses, the load message) still hold."""

    SOURCE = ("#include <stdlib.h>\nint f(int *p) {\n  int *q = malloc(4);\n  if (p) return 1;\n"
              "  free(q);\n  free(q);\n  return 0;\n}\nint g(int a) { return a ? 1 : 1; }\n")

    def test_builtin_checks_with_notes(self):
        self.add_source("a.c", self.SOURCE)
        self.add_source("clean.c", "int clean(void) { return 0; }\n")
        out = os.path.join(self.tmp, "out.sarif")
        proc = self.run_tool("--clang-tidy", support.real_clang_tidy(), "--no-plugin",
                             "--checks=-*,bugprone-branch-clone,clang-analyzer-unix.Malloc",
                             "--sarif", out, "--source-root", self.tmp)
        self.assertEqual(proc.returncode, runner.EXIT_FINDINGS, proc.stdout + proc.stderr)
        self.assertIn("src/a.c:6:3: warning: Attempt to free released memory "
                      "[clang-analyzer-unix.Malloc]", proc.stdout)
        self.assertIn("src/a.c:5:3: note: Memory is released", proc.stdout)
        with open(out, encoding="utf-8") as f:
            log = json.load(f)
        self.assertEqual(sarif_check.check(log), [])
        ids = sorted(r["ruleId"] for r in log["runs"][0]["results"])
        # The double free, and the leak of q on the early return.
        self.assertEqual(ids, ["bugprone-branch-clone", "clang-analyzer-unix.Malloc",
                               "clang-analyzer-unix.Malloc"])

    def test_plugin_that_is_not_a_plugin(self):
        self.add_source("a.c", "int a;\n")
        bogus = self.write("framealloc-tidy.so", "not an ELF file\n")
        proc = self.run_tool("--clang-tidy", support.real_clang_tidy(), "--plugin", bogus)
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("did not load", proc.stderr)

    def test_compile_error(self):
        self.add_source("a.c", "int broken( { }\n")
        proc = self.run_tool("--clang-tidy", support.real_clang_tidy(), "--no-plugin",
                             "--checks=-*,bugprone-branch-clone")
        self.assertEqual(proc.returncode, runner.EXIT_FAILURE)
        self.assertIn("does not compile", proc.stderr)


@unittest.skipUnless(support.real_clang_tidy() and support.plugin_path(),
                     "needs clang-tidy-14 and FRAMEALLOC_TIDY_PLUGIN")
class RealPlugin(RunnerTestBase):
    """The built plugin: a frame pointer returned from an unannotated helper is a finding;
    the same helper annotated FA_RETURNS_FRAME is clean."""

    TEMPLATE = ("#include <framealloc.h>\n"
                "static int *scratch(fa_alloc *fa, int n)%s;\n"
                "static int *scratch(fa_alloc *fa, int n) {\n"
                "  return FA_FRAME_ARRAY(fa, int, n);\n}\n"
                "int sum(fa_alloc *fa) {\n  fa_begin_frame(fa);\n  int *v = scratch(fa, 4);\n"
                "  int s = v ? 1 : 0;\n  fa_end_frame(fa);\n  return s;\n}\n")

    def write_db(self, extra_flags=()):
        super().write_db(tuple(support.INCLUDE_FLAGS) + tuple(extra_flags))

    def test_finding_and_clean(self):
        self.add_source("bad.c", self.TEMPLATE % "")
        out = os.path.join(self.tmp, "out.sarif")
        proc = self.run_tool("--clang-tidy", support.real_clang_tidy(), "--plugin",
                             support.plugin_path(), "--sarif", out)
        self.assertEqual(proc.returncode, runner.EXIT_FINDINGS, proc.stdout + proc.stderr)
        self.assertIn("[framealloc-", proc.stdout)
        with open(out, encoding="utf-8") as f:
            log = json.load(f)
        self.assertEqual(sarif_check.check(log), [])
        self.assertTrue(all(r["ruleId"].startswith("framealloc-")
                            for r in log["runs"][0]["results"]))
        os.remove(self.sources.pop())
        self.add_source("good.c", self.TEMPLATE % " FA_RETURNS_FRAME")
        proc = self.run_tool("--clang-tidy", support.real_clang_tidy(), "--plugin",
                             support.plugin_path())
        self.assertEqual(proc.returncode, runner.EXIT_CLEAN, proc.stdout + proc.stderr)


if __name__ == "__main__":
    unittest.main()
