#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs one framealloc-tidy lit test: clang-tidy with the plugin, then FileCheck.

Usage (through the %check_framealloc_tidy lit substitution):

  %check_framealloc_tidy [-check-suffix=A[,B]] [-fix-notes] <input> <checks> <tmp>
      [-- <clang-tidy args> [-- <compiler args>]]

The contract follows clang-tidy's own test runner (written anew here):
  * CHECK-MESSAGES[-A] lines are matched against clang-tidy's output, with
    --implicit-check-not='{{warning|error}}:' so any unexpected warning fails;
  * CHECK-NOTES[-A] lines likewise, but notes must be matched too;
  * CHECK-FIXES[-A] lines are matched against the file after -fix;
  * a file with no CHECK lines for the run must produce no warning at all;
  * a file without CHECK-FIXES must not be changed by the fixes.
The CHECK comments are blanked in the copy clang-tidy sees, so [[@LINE]]
arithmetic stays valid and expectations cannot match themselves.

Tool paths come from --clang-tidy=, --plugin=, --filecheck= and --include=
(the lit substitution passes them).
"""

import os
import re
import subprocess
import sys


def fail(message, output=None):
    sys.stderr.write("check_framealloc_tidy: " + message + "\n")
    if output:
        sys.stderr.write("------ output ------\n" + output + "\n--------------------\n")
    sys.exit(1)


def run(args, what):
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    return proc.returncode, proc.stdout


def file_check(filecheck, input_path, test_path, prefixes, implicit_not, extra=()):
    args = [filecheck, "-input-file=" + input_path, test_path,
            "-check-prefixes=" + ",".join(prefixes)]
    if implicit_not:
        args.append("-implicit-check-not=" + implicit_not)
    args.extend(extra)
    code, out = run(args, "FileCheck")
    if code != 0:
        with open(input_path, encoding="utf-8", errors="replace") as f:
            fail("FileCheck failed (" + ",".join(prefixes) + ")", out + "\n" + f.read())


def main(argv):
    tools = {"clang-tidy": None, "plugin": None, "filecheck": "FileCheck"}
    includes = []
    suffixes = [""]
    fix_notes = False
    positional = []
    rest = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest = argv[i:]
            break
        if arg.startswith("--clang-tidy="):
            tools["clang-tidy"] = arg.split("=", 1)[1]
        elif arg.startswith("--plugin="):
            tools["plugin"] = arg.split("=", 1)[1]
        elif arg.startswith("--filecheck="):
            tools["filecheck"] = arg.split("=", 1)[1]
        elif arg.startswith("--include="):
            includes.append(arg.split("=", 1)[1])
        elif arg.startswith("-check-suffix=") or arg.startswith("-check-suffixes="):
            suffixes = [s.strip() for s in arg.split("=", 1)[1].split(",")]
        elif arg == "-fix-notes":
            fix_notes = True
        else:
            positional.append(arg)
        i += 1
    if len(positional) != 3:
        fail("expected <input> <checks> <tmp>, got %r" % positional)
    if not tools["clang-tidy"] or not tools["plugin"]:
        fail("--clang-tidy= and --plugin= are required")
    input_path, checks, tmp_base = positional

    # Split "-- tidy args -- compiler args".
    tidy_args, compiler_args = [], []
    if rest:
        rest = rest[1:]
        if "--" in rest:
            cut = rest.index("--")
            tidy_args, compiler_args = rest[:cut], rest[cut + 1:]
        else:
            tidy_args = rest

    with open(input_path, encoding="utf-8") as f:
        text = f.read()

    def prefix(kind, suffix):
        return "CHECK-" + kind + ("-" + suffix if suffix else "")

    messages = [prefix("MESSAGES", s) for s in suffixes]
    notes = [prefix("NOTES", s) for s in suffixes]
    fixes = [prefix("FIXES", s) for s in suffixes]
    has = lambda names: any(re.search(r"\b" + re.escape(n) + r":", text) for n in names)
    has_messages, has_notes, has_fixes = has(messages), has(notes), has(fixes)

    ext = os.path.splitext(input_path)[1] or ".c"
    tmp_source = tmp_base + ext
    os.makedirs(os.path.dirname(os.path.abspath(tmp_source)), exist_ok=True)
    cleaned = re.sub(r"// *CHECK-[A-Z0-9\-]*:[^\r\n]*", "//", text)
    with open(tmp_source, "w", encoding="utf-8") as f:
        f.write(cleaned)

    is_cxx = ext in (".cpp", ".cc", ".cxx")
    default_std = ["-std=c++17"] if is_cxx else ["-std=c11"]
    if any(a.startswith("-std=") for a in compiler_args):
        default_std = []
    if not any(a.startswith("-config") or a.startswith("--config") for a in tidy_args):
        tidy_args = ["--config={}"] + tidy_args

    args = [tools["clang-tidy"], "--load=" + tools["plugin"], tmp_source, "-fix",
            "--checks=-*," + checks]
    if fix_notes:
        args.append("--fix-notes")
    args += tidy_args + ["--"] + default_std + ["-I" + d for d in includes] + compiler_args
    code, output = run(args, "clang-tidy")
    if code != 0:
        fail("clang-tidy exited with %d: %s" % (code, " ".join(args)), output)
    # "Error: no checks enabled" and friends mean the plugin did not load.
    if "no checks enabled" in output or "could not load" in output.lower():
        fail("the plugin did not load", output)

    msg_file = tmp_base + ".msg"
    with open(msg_file, "w", encoding="utf-8") as f:
        f.write(output)

    if not (has_messages or has_notes or has_fixes):
        if re.search(r"(warning|error):", output):
            fail("a test without CHECK lines must produce no diagnostics", output)
    if has_messages:
        file_check(tools["filecheck"], msg_file, input_path, messages,
                   "{{warning|error}}:")
    if has_notes:
        notes_file = tmp_base + ".notes"
        kept = [l for l in output.splitlines() if "note: FIX-IT applied" not in l]
        with open(notes_file, "w", encoding="utf-8") as f:
            f.write("\n".join(kept) + "\n")
        file_check(tools["filecheck"], notes_file, input_path, notes,
                   "{{note|warning|error}}:")

    with open(tmp_source, encoding="utf-8") as f:
        fixed = f.read()
    if has_fixes:
        file_check(tools["filecheck"], tmp_source, input_path, fixes, None,
                   ["-strict-whitespace"])
    elif fixed != cleaned:
        fail("fixes were applied but the test has no CHECK-FIXES lines", output)


if __name__ == "__main__":
    main(sys.argv[1:])
