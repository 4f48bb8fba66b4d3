#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Counts the lit cases per framealloc check (for the release note).

A case is a function of a test file:
  * positive for a check when an expected warning of that check (a CHECK-MESSAGES
    or CHECK-NOTES line with [[@LINE-k]]) falls inside it;
  * negative when no warning is expected inside it and it is named ok_* (or it
    is in a usage-* file, where every warning-free function is a correct usage
    pattern). A negative counts for each check the file's RUN lines
    enable.

  python3 lit-tests/utils/count_cases.py [lit-tests dir]
"""

import os
import re
import sys

CHECKS = ["framealloc-frame-escape", "framealloc-frame-pairing",
          "framealloc-thread-crossing", "framealloc-use-after-frame"]

# Message prefixes of each check (CHECK lines often omit the [check] suffix).
MESSAGES = {
    "framealloc-frame-escape": [r"frame memory returned from", r"frame memory stored in .* outlives"],
    "framealloc-use-after-frame": [r"after its frame ended"],
    "framealloc-frame-pairing": [r"frame begun", r"frame ended here is not open"],
    "framealloc-thread-crossing": [r"handed to another thread", r"shared with another thread"],
}

FUNC = re.compile(r"^[A-Za-z_][\w \*\(\),&:<>]*?\b(\w+)\s*\([^;{}]*\)\s*(?:FA_\w+\s*|const\s*)*\{")
EXPECT = re.compile(r"//\s*CHECK-(?:MESSAGES|NOTES)[\w-]*:\s*:\[\[@LINE([+-]\d+)?\]\]:\d+: warning: (.*)")


def check_of(message):
    for check, patterns in MESSAGES.items():
        if any(re.search(p, message) for p in patterns):
            return check
    return None


def functions(lines):
    """(name, first line, last line) of each function definition, 1-based."""
    result = []
    i = 0
    while i < len(lines):
        m = FUNC.match(lines[i])
        if not m:
            i += 1
            continue
        depth, j = 0, i
        while j < len(lines):
            depth += lines[j].count("{") - lines[j].count("}")
            if depth <= 0 and "{" in "".join(lines[i:j + 1]):
                break
            j += 1
        result.append((m.group(1), i + 1, j + 1))
        i = j + 1
    return result


def enabled_checks(text):
    runs = " ".join(re.findall(r"RUN:(.*)", text))
    if "'framealloc-*'" in runs or "framealloc-*" in runs:
        return set(CHECKS)
    return {c for c in CHECKS if c in runs}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))
    pos = {c: 0 for c in CHECKS}
    neg = {c: 0 for c in CHECKS}
    own = {c: 0 for c in CHECKS}  # negatives in files that test this check alone
    for name in sorted(os.listdir(root)):
        if not name.endswith((".c", ".cpp")):
            continue
        with open(os.path.join(root, name), encoding="utf-8") as f:
            text = f.read()
        lines = text.splitlines()
        expected = {}  # line -> set of checks
        for number, line in enumerate(lines, 1):
            m = EXPECT.search(line)
            if not m:
                continue
            target = number + int(m.group(1) or 0)
            check = check_of(m.group(2))
            if check:
                expected.setdefault(target, set()).add(check)
        enabled = enabled_checks(text)
        for fn, first, last in functions(lines):
            hits = set()
            for line in range(first, last + 1):
                hits |= expected.get(line, set())
            for check in hits:
                pos[check] += 1
            if not hits and (fn.startswith("ok_") or name.startswith("usage-")):
                for check in enabled:
                    neg[check] += 1
                    if len(enabled) == 1:
                        own[check] += 1
    print("%-28s %8s %8s %s" % ("check", "positive", "negative", "(in its own files)"))
    for check in CHECKS:
        print("%-28s %8d %8d %d" % (check, pos[check], neg[check], own[check]))


if __name__ == "__main__":
    main()
