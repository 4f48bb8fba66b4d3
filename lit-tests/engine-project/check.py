#!/usr/bin/env python3
"""Runs the framealloc-* checks over the engine project and compares the findings with
expected-findings.txt (ctest analyzer-engine-project).

The project is analysed the way a game team's CI would: a compile_commands.json for its
translation units, framealloc-tidy-run over it, findings read back from the SARIF log. Then:

  * every finding must be listed in expected-findings.txt ("path:line:check"); an
    unexpected finding always fails the test;
  * every expected finding must be found, unless known-missed.txt lists it (mistakes the
    analyzer does not catch yet): those are printed and tolerated;
  * a known-missed entry that is found now is printed so the list can shrink (an error
    with --strict);
  * expected-findings.txt must agree with the `FINDING: <check>` comments in the sources,
    so a line shift in a source file is reported as such, not as a missed finding.

usage: check.py --plugin PLUGIN [--clang-tidy BIN] [--work-dir DIR] [--strict] [--print-found]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MARKER = re.compile(r"FINDING:\s*([a-z-]+)")


def read_list(name):
    """(path, line, check) entries of a list file; '#' starts a comment."""
    entries = []
    path = os.path.join(HERE, name)
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            m = re.fullmatch(r"([^:\s]+):(\d+):(framealloc-[a-z-]+)", text)
            if not m:
                sys.exit(f"{name}:{n}: expected 'path:line:framealloc-check', got {text!r}")
            entry = (m.group(1), int(m.group(2)), m.group(3))
            if entry in entries:
                sys.exit(f"{name}:{n}: {text} is listed twice")
            entries.append(entry)
    return entries


def sources():
    out = []
    for sub in ("src/c", "src/cpp"):
        for name in sorted(os.listdir(os.path.join(HERE, sub))):
            if name.endswith((".c", ".cpp")):
                out.append(f"{sub}/{name}")
    return out


def markers():
    found = set()
    for rel in sources():
        with open(os.path.join(HERE, rel), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                for m in MARKER.finditer(line):
                    found.add((rel, n, "framealloc-" + m.group(1)))
    return found


def compile_commands(work):
    includes = ["-I" + os.path.join(HERE, "include"),
                "-I" + os.path.join(REPO, "runtime", "include"),
                "-I" + os.path.join(REPO, "annotations")]
    db = []
    for rel in sources():
        src = os.path.join(HERE, rel)
        if rel.endswith(".cpp"):
            args = ["clang++", "-x", "c++", "-std=c++17"]
        else:
            args = ["clang", "-std=c11"]
        db.append({"directory": work, "file": src,
                   "arguments": args + includes + ["-c", src, "-o", os.devnull]})
    with open(os.path.join(work, "compile_commands.json"), "w", encoding="utf-8") as f:
        json.dump(db, f, indent=1)


def findings(args, work):
    sarif_path = os.path.join(work, "engine-project.sarif")
    runner = os.path.join(REPO, "analyzer", "tools", "framealloc-tidy-run")
    cmd = [sys.executable, runner, "-p", work, "--plugin", args.plugin, "--no-snippets",
           "-j", str(args.jobs), "--source-root", HERE, "--sarif", sarif_path]
    if args.clang_tidy:
        cmd += ["--clang-tidy", args.clang_tidy]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.stdout.write(proc.stdout + proc.stderr)
        sys.exit(f"FAIL: framealloc-tidy-run exited with {proc.returncode} (tool failure)")
    with open(sarif_path, encoding="utf-8") as f:
        log = json.load(f)
    found = []
    for res in log["runs"][0]["results"]:
        loc = res["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        if loc["artifactLocation"].get("uriBaseId") != "%SRCROOT%":
            uri = "<outside the project> " + uri
        # The message without the runner's links to the notes, brackets unescaped.
        text = re.sub(r" \((?:\[(?:\\.|[^\]\\])*\]\(\d+\)(?:; )?)+\)$", "",
                      res["message"]["text"])
        text = re.sub(r"\\([\[\]\\])", r"\1", text)
        found.append((urllib.parse.unquote(uri), loc["region"]["startLine"], res["ruleId"],
                      text))
    return found


def main():
    global REPO
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--clang-tidy")
    ap.add_argument("--work-dir", default=os.path.join(REPO, "build", "engine-project"))
    ap.add_argument("--repo-root", default=REPO,
                    help="framealloc checkout (headers, runner); default: two levels up")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--strict", action="store_true",
                    help="fail when a known-missed finding is found (the list is stale)")
    ap.add_argument("--print-found", action="store_true",
                    help="print the findings in expected-findings.txt format and exit")
    args = ap.parse_args()
    REPO = os.path.abspath(args.repo_root)
    work = os.path.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)

    expected = read_list("expected-findings.txt")
    known = read_list("known-missed.txt")
    problems = []
    for entry in known:
        if entry not in expected:
            problems.append(f"known-missed.txt lists {':'.join(map(str, entry))}, which is "
                            "not in expected-findings.txt")
    marked = markers()
    for entry in sorted(marked - set(expected)):
        problems.append(f"{entry[0]}:{entry[1]} has a FINDING: {entry[2][11:]} comment but "
                        "expected-findings.txt does not list it (lines shifted?)")
    for entry in sorted(set(expected) - marked):
        problems.append(f"expected-findings.txt lists {':'.join(map(str, entry))} but that "
                        "line has no matching FINDING comment (lines shifted?)")

    compile_commands(work)
    found = findings(args, work)
    if args.print_found:
        for path, line, check, _ in sorted(found):
            print(f"{path}:{line}:{check}")
        return 0
    found_keys = {(p, l, c) for p, l, c, _ in found}

    ok = [e for e in expected if e in found_keys]
    missed_known = [e for e in expected if e not in found_keys and e in known]
    missed = [e for e in expected if e not in found_keys and e not in known]
    fixed = [e for e in known if e in found_keys]
    unexpected = [f for f in found if (f[0], f[1], f[2]) not in expected]

    print(f"engine project: {len(sources())} translation units, {len(expected)} expected "
          f"findings, {len(found)} found")
    print(f"  found as expected:        {len(ok)}")
    print(f"  known missed (tolerated): {len(missed_known)}")
    for e in missed_known:
        print(f"    {e[0]}:{e[1]}: {e[2]}")
    for e in fixed:
        print(f"  NOW FOUND, remove from known-missed.txt: {e[0]}:{e[1]}: {e[2]}")
        if args.strict:
            problems.append(f"known-missed entry found: {e[0]}:{e[1]}:{e[2]}")
    for e in missed:
        problems.append(f"MISSING: {e[0]}:{e[1]}: {e[2]} was not reported")
    for path, line, check, msg in unexpected:
        problems.append(f"UNEXPECTED: {path}:{line}: {msg} [{check}]")
    if problems:
        print("\nFAIL:")
        for p in problems:
            print(f"  {p}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
