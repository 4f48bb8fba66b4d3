#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Times clang-tidy with the framealloc-* checks against `clang -fsyntax-only` on the
generated benchmark file, after proving that the checks run (see run.sh, which calls this).

  1. load check: `--list-checks` must list framealloc-* checks;
  2. precision: the clean file (default 50,000 lines) must give zero findings;
  3. recall: the seeded file must give a finding inside every seeded function (and none
     elsewhere); otherwise the timing is meaningless and the script fails;
  4. timing: N runs of each command, interleaved (A B C A B C ...) so drift on a noisy
     machine hits all equally; medians and the ratio are reported (C, clang-tidy with one
     cheap built-in check and no plugin, shows what the host costs by itself);
  5. profile: one run with --enable-check-profile, per-check totals.

Exit status: 0 when correctness holds (the ratio target is reported, not enforced, because
wall-clock limits on a shared machine make flaky tests), 1 otherwise.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "analyzer", "tools"))

import gen_bench  # noqa: E402
import gen_converter  # noqa: E402
from framealloc_tidy import diagnostics  # noqa: E402

CHECKS = "-*,framealloc-*"
TARGET_RATIO = 1.3
CONVERTER_TARGET = 2.0  # one 4,000-line function vs -fsyntax-only of its TU
HOST_CHECK = "misc-misplaced-const"  # a cheap built-in check that applies to C


def tidy_cmd(args, source, *extra):
    return [args.clang_tidy, f"--load={args.plugin}", f"--checks={CHECKS}", *extra, source,
            "--", *args.flags]


def findings(args, source, workdir):
    """Diagnostics of one clang-tidy run (parsed from --export-fixes)."""
    fixes = os.path.join(workdir, "fixes.yaml")
    if os.path.exists(fixes):
        os.remove(fixes)
    proc = subprocess.run(tidy_cmd(args, source, f"--export-fixes={fixes}"),
                          capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"bench: clang-tidy failed on {source} (status {proc.returncode}):\n"
                         + (proc.stdout + proc.stderr)[-4000:])
    if not os.path.exists(fixes):
        return []
    with open(fixes, "rb") as f:
        return diagnostics.load_fixes(f.read(), fixes)


def lines_of(diags):
    cache = diagnostics.SourceCache()
    out = []
    for d in diags:
        pos = cache.position(d.message.path, d.message.offset)
        out.append((pos.line if pos else 0, d))
    return out


def check_recall(args, seeded_c, manifest, workdir):
    """Every seeded function must have a finding, and nothing outside them."""
    diags = lines_of(findings(args, seeded_c, workdir))
    ok = True
    for m in manifest["mistakes"]:
        inside = [d for ln, d in diags if m["start_line"] <= ln <= m["end_line"]]
        at_marker = any(ln == m["marker_line"] for ln, _ in diags)
        names = sorted({d.check for d in inside})
        state = "found" if inside else "MISSED"
        where = "at the marked line" if at_marker else "elsewhere in the function"
        print(f"bench:   {m['kind']:<20} line {m['marker_line']:>6}: {state}"
              + (f" ({', '.join(names)}, {where})" if inside else ""))
        ok &= bool(inside)
    stray = [(ln, d) for ln, d in diags
             if not any(m["start_line"] <= ln <= m["end_line"] for m in manifest["mistakes"])]
    for ln, d in stray[:20]:
        print(f"bench:   UNEXPECTED line {ln}: {d.message.text} [{d.check}]")
    return ok and not stray, len(diags)


def time_once(cmd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"bench: command failed ({proc.returncode}): {' '.join(cmd)}")
    return elapsed


def profile(args, source):
    """Per-check wall time totals from --enable-check-profile (stderr table)."""
    proc = subprocess.run(tidy_cmd(args, source, "--enable-check-profile"),
                          capture_output=True, text=True, errors="replace")
    totals = {}
    for line in proc.stderr.splitlines():
        # "   0.0812 (100.0%)   0.0021 (100.0%)   0.0833 (100.0%)   0.0834 (100.0%)  Total"
        m = re.match(r"\s*([\d.]+) \(\s*[\d.]+%\)\s+([\d.]+) \(\s*[\d.]+%\)\s+([\d.]+) "
                     r"\(\s*[\d.]+%\)\s+([\d.]+) \(\s*[\d.]+%\)\s+(\S.*)$", line)
        if m:
            totals[m.group(5).strip()] = float(m.group(4))
    return totals


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--plugin", required=True, help="the framealloc-tidy.so to measure")
    p.add_argument("--clang-tidy", default="clang-tidy-14", help="default: %(default)s")
    p.add_argument("--clang", default="clang-14", help="the baseline (default: %(default)s)")
    p.add_argument("--work-dir", help="where the generated files go (default: a temp dir)")
    p.add_argument("--lines", type=int, default=50000, help="default: %(default)s")
    p.add_argument("--seed", type=int, default=1, help="generator seed (default: %(default)s)")
    p.add_argument("--mistakes", type=int, default=16, help="seeded mistakes for the recall run")
    p.add_argument("--runs", type=int, default=7, help="timed runs of each command (>= 5)")
    p.add_argument("--no-timing", action="store_true", help="correctness only (for ctest)")
    p.add_argument("--converter-lines", type=int, default=4000,
                   help="size of the one-function converter TU (0 = skip; default: %(default)s)")
    args = p.parse_args(argv)
    args.flags = ["-std=gnu11", "-I" + os.path.join(ROOT, "runtime", "include"),
                  "-I" + os.path.join(ROOT, "annotations")]
    if not args.no_timing and args.runs < 5:
        p.error("--runs must be at least 5 (medians of fewer runs are noise)")
    work = args.work_dir or tempfile.mkdtemp(prefix="framealloc-bench-")
    os.makedirs(work, exist_ok=True)

    listed = subprocess.run([args.clang_tidy, f"--load={args.plugin}", f"--checks={CHECKS}",
                             "--list-checks"], capture_output=True, text=True)
    checks = [ln.strip() for ln in listed.stdout.splitlines()
              if ln.strip().startswith("framealloc-")]
    if not checks:
        print(f"bench: FAIL: the plugin did not load:\n{listed.stdout}{listed.stderr}")
        return 1
    clean_c = os.path.join(work, "gen.c")
    seeded_c = os.path.join(work, "gen_seeded.c")
    text, _ = gen_bench.generate(args.lines, args.seed, 0)
    with open(clean_c, "w", encoding="utf-8") as f:
        f.write(text)
    text_s, seeded = gen_bench.generate(args.lines, args.seed, args.mistakes)
    with open(seeded_c, "w", encoding="utf-8") as f:
        f.write(text_s)
    manifest = {"mistakes": seeded}
    with open(os.path.join(work, "gen_seeded.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    nlines = text.count("\n")
    print(f"bench: {clean_c}: {nlines} lines; checks: {', '.join(checks)}")

    clean = findings(args, clean_c, work)
    for ln, d in lines_of(clean)[:20]:
        print(f"bench:   FALSE POSITIVE line {ln}: {d.message.text} [{d.check}]")
    print(f"bench: clean file: {len(clean)} finding(s) (expected 0)")
    print(f"bench: seeded file: {len(seeded)} mistake(s) of {len(gen_bench.MISTAKES)} kinds:")
    recall_ok, nseeded = check_recall(args, seeded_c, manifest, work)
    print(f"bench: seeded file: {nseeded} finding(s); "
          f"{'every seeded mistake found' if recall_ok else 'RECALL/PRECISION FAILURE'}")
    ok = recall_ok and not clean
    if args.no_timing:
        return 0 if ok else 1

    syntax = [args.clang, "-fsyntax-only", *args.flags, clean_c]
    tidy = tidy_cmd(args, clean_c)
    # clang-tidy itself costs something over clang (it defines __clang_analyzer__, runs the
    # AST matchers' traversal, ...): a run with one cheap built-in check shows how much of
    # the ratio is the host and how much is the framealloc checks.
    host = [args.clang_tidy, f"--checks=-*,{HOST_CHECK}", clean_c, "--", *args.flags]
    for cmd in (syntax, tidy, host):
        time_once(cmd)  # warm the page cache
    t_syntax, t_tidy, t_host = [], [], []
    for _ in range(args.runs):
        t_syntax.append(time_once(syntax))
        t_tidy.append(time_once(tidy))
        t_host.append(time_once(host))
    m_syntax, m_tidy = statistics.median(t_syntax), statistics.median(t_tidy)
    m_host = statistics.median(t_host)
    ratio = m_tidy / m_syntax
    prof = profile(args, clean_c)
    fa_total = sum(v for k, v in prof.items() if k.startswith("framealloc-"))

    print("\n=== framealloc-tidy speed benchmark ===")
    print(f"input:    generated {nlines}-line C file (gen_bench.py --lines {args.lines} "
          f"--seed {args.seed}), 0 findings; seeded copy: {len(seeded)}/{len(seeded)} "
          "mistakes found" if ok else "input: CORRECTNESS FAILED (see above)")
    print(f"baseline: {' '.join(syntax)}")
    print(f"checked:  clang-tidy --load=<plugin> -checks='{CHECKS}' gen.c -- <same flags>")
    print(f"runs:     {args.runs} each, interleaved; median (min-max) wall time")
    print(f"  clang -fsyntax-only  {m_syntax:.3f} s ({min(t_syntax):.3f}-{max(t_syntax):.3f})")
    print(f"  clang-tidy + checks  {m_tidy:.3f} s ({min(t_tidy):.3f}-{max(t_tidy):.3f})")
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"  ratio                {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target)")
    print(f"  for reference: clang-tidy with only {HOST_CHECK} (no plugin) "
          f"{m_host:.3f} s = {m_host / m_syntax:.2f}x")
    print("check profile (--enable-check-profile, wall s):")
    for name in sorted(k for k in prof if k.startswith("framealloc-")):
        print(f"  {name:<32} {prof[name]:.3f}")
    print(f"  {'all framealloc-* checks':<32} {fa_total:.3f}")
    if args.converter_lines > 0:
        ok = converter(args, work) and ok
    return 0 if ok else 1


def converter(args, work):
    """One generated converter function of --converter-lines lines: it must be analyzed
    (no budget remark), give no finding, and cost at most CONVERTER_TARGET x -fsyntax-only."""
    src = os.path.join(work, "converter.c")
    with open(src, "w", encoding="utf-8") as f:
        f.write(gen_converter.generate(args.converter_lines, args.seed))
    proc = subprocess.run(tidy_cmd(args, src), capture_output=True, text=True, errors="replace")
    diags = [ln for ln in proc.stdout.splitlines() + proc.stderr.splitlines()
             if re.search(r": (warning|error|remark): ", ln)]
    syntax = [args.clang, "-fsyntax-only", *args.flags, src]
    tidy = tidy_cmd(args, src)
    for cmd in (syntax, tidy):
        time_once(cmd)
    t_syntax, t_tidy = [], []
    for _ in range(args.runs):
        t_syntax.append(time_once(syntax))
        t_tidy.append(time_once(tidy))
    m_syntax, m_tidy = statistics.median(t_syntax), statistics.median(t_tidy)
    ratio = m_tidy / m_syntax
    verdict = "meets" if ratio <= CONVERTER_TARGET else "MISSES"
    print(f"\n=== one {args.converter_lines}-line converter function (gen_converter.py) ===")
    print(f"  diagnostics          {len(diags)} (expected 0: no finding, no budget remark)")
    for ln in diags[:10]:
        print(f"    {ln}")
    print(f"  clang -fsyntax-only  {m_syntax:.3f} s ({min(t_syntax):.3f}-{max(t_syntax):.3f})")
    print(f"  clang-tidy + checks  {m_tidy:.3f} s ({min(t_tidy):.3f}-{max(t_tidy):.3f})")
    print(f"  ratio                {ratio:.2f}x ({verdict} the {CONVERTER_TARGET}x target)")
    return not diags


if __name__ == "__main__":
    sys.exit(main())
