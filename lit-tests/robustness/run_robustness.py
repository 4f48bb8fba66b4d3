#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Robustness test of the framealloc-* checks: real C that does not use framealloc must give
zero warnings and no crash.

Runs clang-tidy with the plugin and only the framealloc-* checks over:
  1. headers     one TU including every system header that compiles (probe_headers.py),
                 with --system-headers and --header-filter='.*' so nothing is hidden;
  2. flattened   the same TU preprocessed (clang -E -P) into one main file, so every inline
                 function of every header is analysed as user code (a plugin that only looks
                 at the main file would otherwise skip them all);
  3. c++         a C++17 TU with every standard library header plus <framealloc.h> and a
                 correct frame loop (C++ TUs must not crash the checks);
  4. runtime     each runtime/src/*.c with the project's flags (from compile_commands.json
                 when given, else -I runtime/include -I annotations -I runtime/src). A
                 missing runtime/src directory is reported and skipped; an existing one must
                 be clean. The OS layer of other platforms (a prim_*.c the build does not
                 compile: absent from compile_commands.json, or prim_win32.c off Windows
                 without one) is listed as skipped: it needs that OS's headers.
Exit status: 0 pass, 1 a warning, error or crash, 2 setup problem (plugin not loading...).
"""

import argparse
import concurrent.futures
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "analyzer", "tools"))

import probe_headers  # noqa: E402
from framealloc_tidy import diagnostics  # noqa: E402

CHECKS = "-*,framealloc-*"
_CRASH = ("PLEASE submit a bug report", "Stack dump:")
_DIAG_LINE = re.compile(r"^[^\s].*?:\d+:\d+: (warning|error): ", re.M)
CXX_HEADERS = [
    "algorithm", "any", "array", "atomic", "bitset", "cassert", "cctype", "cerrno", "cfloat",
    "charconv", "chrono", "cinttypes", "climits", "clocale", "cmath", "codecvt", "complex",
    "condition_variable", "csetjmp", "csignal", "cstdarg", "cstddef", "cstdint", "cstdio",
    "cstdlib", "cstring", "ctime", "cwchar", "cwctype", "deque", "exception", "execution",
    "filesystem", "forward_list", "fstream", "functional", "future", "initializer_list",
    "iomanip", "ios", "iosfwd", "iostream", "istream", "iterator", "limits", "list", "locale",
    "map", "memory", "memory_resource", "mutex", "new", "numeric", "optional", "ostream",
    "queue", "random", "ratio", "regex", "scoped_allocator", "set", "shared_mutex", "sstream",
    "stack", "stdexcept", "streambuf", "string", "string_view", "system_error", "thread",
    "tuple", "type_traits", "typeindex", "typeinfo", "unordered_map", "unordered_set",
    "utility", "valarray", "variant", "vector"]
CXX_BODY = """
#include <framealloc.h>

namespace {
struct Particle { float x, y, vx, vy; };

float step(fa_alloc *fa, const std::vector<Particle> &in) {
    float total = 0.0f;
    for (int frame = 0; frame < 3; ++frame) {
        fa_begin_frame(fa);
        auto *tmp = FA_FRAME_ARRAY(fa, Particle, in.size());
        if (tmp != nullptr) {
            std::copy(in.begin(), in.end(), tmp);
            for (std::size_t i = 0; i < in.size(); ++i) total += tmp[i].x + tmp[i].vx;
        }
        fa_end_frame(fa);
    }
    return total;
}
}  // namespace

float robustness_entry(fa_alloc *fa) {
    std::vector<Particle> ps(16, Particle{1, 2, 3, 4});
    std::map<std::string, float> results;
    results["step"] = step(fa, ps);
    return results["step"];
}
"""


# Appended to the flattened headers, which have no include guards left: it declares the
# API it needs itself (annotations.h includes nothing) instead of including <framealloc.h>.
CANARY = """
#include <framealloc/annotations.h>
typedef struct fa_alloc fa_alloc;
void fa_begin_frame(fa_alloc *fa) FA_BEGINS_FRAME;
void fa_end_frame(fa_alloc *fa) FA_ENDS_FRAME;
void *fa_frame_alloc(fa_alloc *fa, size_t size, size_t align) FA_RETURNS_FRAME;
static int *canary_scratch(fa_alloc *fa) {
    int *p = (int *)fa_frame_alloc(fa, 4 * sizeof(int), _Alignof(int));
    return p; /* CANARY */
}
int canary_use(fa_alloc *fa) {
    fa_begin_frame(fa);
    int *p = canary_scratch(fa);
    int v = p ? p[0] : 0;
    fa_end_frame(fa);
    return v;
}
"""


class Step:
    """One clang-tidy run. expect_line: the run must report exactly one finding, on this
    line of the source (the canary); otherwise it must report nothing."""

    def __init__(self, name, source, flags, tidy_extra=(), expect_line=None):
        self.name, self.source, self.flags = name, source, list(flags)
        self.tidy_extra, self.expect_line = list(tidy_extra), expect_line
        self.problems = []
        self.seconds = 0.0


def run_clang_tidy(args, step, fixes_path):
    cmd = [args.clang_tidy, f"--load={args.plugin}", f"--checks={CHECKS}",
           f"--export-fixes={fixes_path}", *step.tidy_extra, step.source, "--", *step.flags]
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              timeout=args.timeout)
    except subprocess.TimeoutExpired:
        step.problems.append(f"timed out after {args.timeout} s: {' '.join(cmd)}")
        return step
    step.seconds = time.monotonic() - start
    output = proc.stdout + proc.stderr
    if proc.returncode < 0 or any(m in output for m in _CRASH):
        step.problems.append(f"clang-tidy crashed (status {proc.returncode}):\n{output[-6000:]}")
    elif proc.returncode != 0:
        step.problems.append(f"clang-tidy failed (status {proc.returncode}):\n{output[-6000:]}")
    found = []
    exported = os.path.exists(fixes_path)
    if exported:
        with open(fixes_path, "rb") as f:
            found = diagnostics.load_fixes(f.read(), fixes_path)
        os.remove(fixes_path)
    if step.expect_line is not None:
        cache = diagnostics.SourceCache()
        lines = [cache.position(d.message.path, d.message.offset) for d in found]
        hit = [p for p in lines if p and p.line == step.expect_line]
        if len(found) != 1 or not hit:
            step.problems.append(f"expected exactly one finding, on line {step.expect_line} "
                                 f"(the seeded mistake), got {len(found)}: the checks did not "
                                 "analyse this TU as they should")
        found = [d for d, p in zip(found, lines) if not (p and p.line == step.expect_line)]
    if exported:
        cache = diagnostics.SourceCache()
        for d in found:
            pos = cache.position(d.message.path, d.message.offset)
            where = f"{d.message.path}:{pos.line}:{pos.byte_column}" if pos else d.message.path
            step.problems.append(f"{where}: {d.level.lower()}: {d.message.text} [{d.check}]")
    elif step.expect_line is None:  # no export file: catch whatever clang-tidy printed
        for m in _DIAG_LINE.finditer(output):
            line_end = output.find("\n", m.start())
            step.problems.append(output[m.start():line_end if line_end >= 0 else None])
    return step


def plugin_loads(args):
    proc = subprocess.run([args.clang_tidy, f"--load={args.plugin}", f"--checks={CHECKS}",
                           "--list-checks"], capture_output=True, text=True)
    checks = [ln.strip() for ln in proc.stdout.splitlines() if ln.strip().startswith("framealloc-")]
    return checks, (proc.stdout + proc.stderr).strip()


def source_stats(clang, tu, flags):
    """(distinct files pulled in, their total lines, non-blank preprocessed lines)."""
    proc = subprocess.run([clang, "-E", "-w", *flags, tu], capture_output=True, text=True,
                          errors="replace", check=True)
    files = set(re.findall(r'^# \d+ "([^"<]+)"', proc.stdout, re.M))
    files.discard(tu)
    total = 0
    for path in files:
        try:
            with open(path, "rb") as f:
                total += f.read().count(b"\n")
        except OSError:
            pass
    code = sum(1 for ln in proc.stdout.splitlines() if ln.strip() and not ln.startswith("#"))
    return len(files), total, code


def foreign_os_layer(args, source):
    """True for a runtime/src/prim_*.c this build does not compile (another OS's layer)."""
    name = os.path.basename(source)
    if not name.startswith("prim_"):
        return False
    if args.compile_commands and os.path.exists(args.compile_commands):
        with open(args.compile_commands, encoding="utf-8") as f:
            built = {os.path.normpath(os.path.join(e["directory"], e["file"]))
                     for e in json.load(f)}
        return os.path.normpath(source) not in built
    return name == "prim_win32.c" and sys.platform != "win32"


def runtime_flags(args, source):
    default = ["-std=gnu11", "-D_GNU_SOURCE", "-pthread",
               "-I" + os.path.join(args.source_root, "runtime", "include"),
               "-I" + os.path.join(args.source_root, "annotations"),
               "-I" + os.path.join(args.source_root, "runtime", "src")]
    if not args.compile_commands or not os.path.exists(args.compile_commands):
        return default, None
    with open(args.compile_commands, encoding="utf-8") as f:
        entries = json.load(f)
    for e in entries:
        if os.path.normpath(os.path.join(e["directory"], e["file"])) == source:
            cmd = e.get("arguments") or shlex.split(e["command"])
            # Keep what changes the meaning of the code; drop the compiler, -c, -o, the
            # input and dependency-file options.
            keep, skip = [], False
            for a in cmd[1:]:
                if skip:
                    skip = False
                    continue
                if a in ("-o", "-MF", "-MT", "-MQ"):
                    skip = True
                    continue
                if a in ("-c", "-MD", "-MMD") or a == e["file"] or a == source:
                    continue
                keep.append(a)
            return keep, e["directory"]
    return default, None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--plugin", required=True, help="the framealloc-tidy.so to test")
    p.add_argument("--clang-tidy", default="clang-tidy-14", help="default: %(default)s")
    p.add_argument("--clang", default="clang-14",
                   help="C compiler for probing headers and preprocessing (default: %(default)s)")
    p.add_argument("--work-dir", required=True,
                   help="build-tree directory for the generated TUs and the header cache")
    p.add_argument("--source-root", default=ROOT, help="framealloc checkout (default: %(default)s)")
    p.add_argument("--compile-commands",
                   help="the project's compile_commands.json, for the runtime sources' flags")
    p.add_argument("--only", action="append", choices=["headers", "flattened", "c++", "runtime"],
                   help="run only these parts (repeatable; the canary goes with flattened)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                   help="parallel processes (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=600,
                   help="per clang-tidy run, seconds (default: %(default)s)")
    args = p.parse_args(argv)
    args.source_root = os.path.abspath(args.source_root)
    parts = set(args.only or ["headers", "flattened", "c++", "runtime"])
    os.makedirs(args.work_dir, exist_ok=True)

    checks, said = plugin_loads(args)
    if not checks:
        print(f"robustness: SETUP ERROR: {args.plugin} does not load or registers no "
              f"framealloc-* check:\n{said}")
        return 2
    print(f"robustness: plugin checks: {', '.join(checks)}")

    steps, summary = [], []
    flags = probe_headers.FLAGS
    if parts & {"headers", "flattened"}:
        tu, info = probe_headers.build(os.path.join(args.work_dir, "headers"), args.clang,
                                       args.jobs, log=lambda s: print("robustness: " + s))
        nfiles, nlines, ncode = source_stats(args.clang, tu, flags)
        summary.append(f"{len(info['together'])} system headers in one TU ({nfiles} files "
                       f"with their includes, {nlines:,} lines; {ncode:,} non-blank "
                       "preprocessed lines)")
        if "headers" in parts:
            steps.append(Step("headers", tu, flags, ["--system-headers", "--header-filter=.*"]))
        if "flattened" in parts:
            flat = os.path.join(args.work_dir, "all_headers_flat.c")
            subprocess.run([args.clang, "-E", "-P", "-w", *flags, tu, "-o", flat], check=True)
            steps.append(Step("flattened", flat, ["-std=gnu11", "-Wno-everything"]))
            # The canary proves the checks really analyse a TU this size: the flattened code
            # plus one seeded mistake must give exactly that one finding.
            canary = os.path.join(args.work_dir, "canary.c")
            with open(flat, encoding="utf-8", errors="replace") as f:
                body = f.read()
            with open(canary, "w", encoding="utf-8") as f:
                f.write(body + CANARY)
            canary_line = (body + CANARY).count("\n", 0, (body + CANARY).index("/* CANARY */")) + 1
            steps.append(Step("canary", canary,
                              ["-std=gnu11", "-Wno-everything",
                               "-I" + os.path.join(args.source_root, "annotations")],
                              expect_line=canary_line))
    if "c++" in parts:
        cxx = os.path.join(args.work_dir, "cxx_stdlib.cpp")
        with open(cxx, "w", encoding="utf-8") as f:
            f.write("".join(f"#include <{h}>\n" for h in CXX_HEADERS) + CXX_BODY)
        steps.append(Step("c++", cxx, ["-std=c++17",
                                       "-I" + os.path.join(args.source_root, "runtime", "include"),
                                       "-I" + os.path.join(args.source_root, "annotations")]))
        summary.append(f"{len(CXX_HEADERS)} C++17 standard headers with <framealloc.h>")
    if "runtime" in parts:
        src_dir = os.path.join(args.source_root, "runtime", "src")
        sources = sorted(glob.glob(os.path.join(src_dir, "*.c")))
        if not os.path.isdir(src_dir):
            print(f"robustness: {src_dir} does not exist yet: runtime part skipped")
        elif not sources:
            print(f"robustness: FAIL: {src_dir} exists but holds no .c file")
            return 1
        else:
            skipped = [s for s in sources if foreign_os_layer(args, s)]
            for s in skipped:
                print(f"robustness: [runtime] {os.path.relpath(s, args.source_root)}: skipped "
                      "(the OS layer of another platform)")
            sources = [s for s in sources if s not in skipped]
            for s in sources:
                fl, _ = runtime_flags(args, s)
                steps.append(Step("runtime", s, fl))
            lines = sum(open(s, "rb").read().count(b"\n") for s in sources)
            summary.append(f"{len(sources)} runtime sources ({lines:,} lines)")

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_clang_tidy, args, s,
                               os.path.join(args.work_dir, f"fixes-{i}.yaml"))
                   for i, s in enumerate(steps)]
        for fut in concurrent.futures.as_completed(futures):
            s = fut.result()
            status = "ok" if not s.problems else f"{len(s.problems)} problem(s)"
            shown = os.path.relpath(s.source, args.source_root)
            shown = s.source if shown.startswith("..") else shown
            print(f"robustness: [{s.name}] {shown}: "
                  f"{status} ({s.seconds:.1f} s)")
    failed = [s for s in steps if s.problems]
    for s in failed:
        print(f"\nrobustness: FAIL [{s.name}] {s.source}:")
        for prob in s.problems[:50]:
            print("  " + prob.replace("\n", "\n    "))
    verdict = "FAIL" if failed else "PASS"
    print(f"\nrobustness: {verdict}: {'; '.join(summary)}; {len(steps)} clang-tidy runs, "
          f"{sum(len(s.problems) for s in steps)} warnings/errors/crashes")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
