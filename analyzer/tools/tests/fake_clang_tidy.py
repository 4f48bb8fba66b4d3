#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in for clang-tidy-14, for runner tests that must not depend on the real tool's
behaviour (crashes, timeouts, plugins that fail to load). It understands the options the
runner passes and takes its script from comments in the analysed source file:

    // expect: CHECK-NAME message text      a warning at this line's first non-blank column
    // note: message text                   a note (at this line) on the previous warning
    // fixit: TEXT                          a fix-it inserting TEXT at this line's start
    // error-level                          the previous warning has Level: Error
    // header: PATH                         the previous warning is located in PATH, offset 0
    // compile-error                        a clang-diagnostic-error, exit status 1
    // crash                                prints a stack dump and dies with SIGSEGV
    // sleep: SECONDS                       sleeps first
    // rendezvous: DIR N                    waits (up to 60 s) until N fake processes are
                                            inside this directive for DIR at once; exit
                                            status 7 when they never are
    // exit: N                              exits with N and writes nothing

Checks exist only if enabled by --checks; framealloc-* checks exist only when --load names
an existing file whose content contains FAKE-FRAMEALLOC-PLUGIN (otherwise the fake prints
clang-tidy's "-load request ignored" message, as the real tool does).
"""

import fnmatch
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llvm_yaml  # noqa: E402

BUILTIN = ["bugprone-branch-clone", "bugprone-sizeof-expression", "readability-braces"]
PLUGIN = ["framealloc-frame-escape", "framealloc-frame-pairing"]


def enabled(globs, available):
    on = set()
    for glob in [g.strip() for g in globs.split(",") if g.strip()]:
        neg = glob.startswith("-")
        pat = glob[1:] if neg else glob
        for name in available:
            if fnmatch.fnmatchcase(name, pat):
                (on.discard if neg else on.add)(name)
    return [n for n in available if n in on]


def main(argv):
    opts = {}
    files = []
    args = iter(argv)
    for arg in args:
        if arg == "-p":
            opts["p"] = next(args)
            continue
        if arg == "--version":
            print("LLVM (http://llvm.org/):\n  LLVM version 14.0.6-fake")
            return 0
        m = re.match(r"--?([\w-]+)(?:=(.*))?$", arg)
        if m and arg.startswith("-"):
            opts[m.group(1)] = m.group(2) if m.group(2) is not None else True
        else:
            files.append(arg)
    available = list(BUILTIN)
    plugin = opts.get("load")
    if plugin:
        try:
            with open(plugin, encoding="utf-8", errors="replace") as f:
                ok = "FAKE-FRAMEALLOC-PLUGIN" in f.read()
        except OSError:
            ok = False
        if ok:
            available += PLUGIN
        else:
            sys.stderr.write(f"Error opening '{plugin}': invalid ELF header\n"
                             "  -load request ignored.\n")
    checks = enabled(opts.get("checks", "clang-diagnostic-*,clang-analyzer-*"), available)
    if "list-checks" in opts:
        if not checks:
            sys.stderr.write("No checks enabled.\n")
            return 1
        print("Enabled checks:\n" + "".join(f"    {c}\n" for c in checks))
        return 0
    if not checks:
        sys.stderr.write("Error: no checks enabled.\n")
        return 1
    build_dir = opts.get("p", os.getcwd())
    source = os.path.abspath(files[-1])
    with open(source, "rb") as f:
        data = f.read()
    diags = []
    status = 0
    offset = 0
    for raw in data.split(b"\n"):
        line = raw.decode("utf-8", errors="replace")
        col = len(raw) - len(raw.lstrip())
        m = re.search(r"//\s*([\w-]+)(?::\s?(.*))?$", line)
        if m:
            kind, arg = m.group(1), (m.group(2) or "").rstrip()
            if kind == "expect":
                name, _, message = arg.partition(" ")
                if name in checks:
                    diags.append({"name": name, "message": message, "path": source,
                                  "offset": offset + col, "build_dir": build_dir,
                                  "replacements": [], "notes": []})
            elif kind == "note" and diags:
                diags[-1]["notes"].append({"message": arg, "path": source,
                                           "offset": offset + col})
            elif kind == "fixit" and diags:
                diags[-1]["replacements"].append((source, offset, 0, arg))
            elif kind == "error-level" and diags:
                diags[-1]["level"] = "Error"
            elif kind == "header" and diags:
                diags[-1]["path"] = arg
                diags[-1]["offset"] = 0
            elif kind == "compile-error":
                diags.append({"name": "clang-diagnostic-error", "message": "expected ';'",
                              "path": source, "offset": offset + col, "level": "Error",
                              "build_dir": build_dir})
                status = 1
            elif kind == "crash":
                sys.stderr.write("PLEASE submit a bug report to https://github.com/llvm/"
                                 "llvm-project/issues/ and include the crash backtrace.\n"
                                 "Stack dump:\n0.\tProgram arguments: clang-tidy\n")
                sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGSEGV)
            elif kind == "sleep":
                time.sleep(float(arg))
            elif kind == "rendezvous":
                where, count = arg.rsplit(" ", 1)
                os.makedirs(where, exist_ok=True)
                open(os.path.join(where, str(os.getpid())), "w").close()
                deadline = time.monotonic() + 60
                while len(os.listdir(where)) < int(count):
                    if time.monotonic() > deadline:
                        sys.stderr.write(f"fake clang-tidy: rendezvous {where}: only "
                                         f"{len(os.listdir(where))} of {count} arrived\n")
                        return 7
                    time.sleep(0.02)
            elif kind == "exit":
                return int(arg)
        offset += len(raw) + 1
    if any(d.get("level") == "Error" and d["name"] != "clang-diagnostic-error" for d in diags):
        status = 1  # what --warnings-as-errors does
    fixes = opts.get("export-fixes")
    if fixes and diags:  # like clang-tidy: no file at all when there is nothing to export
        with open(fixes, "w", encoding="utf-8") as f:
            f.write(llvm_yaml.diagnostics_yaml(source, diags))
    for d in diags:
        print(f"{d['path']}:?: warning: {d['message']} [{d['name']}]")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
