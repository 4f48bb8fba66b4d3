#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Doxygen input filter for the public headers.

The headers document every declaration with ordinary C comments, so the headers stay plain C
for every compiler and reader. This filter turns them into Doxygen comments on the way in:

  - a comment on its own line(s) before a declaration documents that declaration (/** ... */);
  - a comment after code on the same line documents that member (/**< ... */);
  - section banners (/* ---- */ and the /* Title     */ line between two of them) and the
    file's opening comment stay ordinary comments (the file page gets a short @file block);
  - C++ // comments after code become ///<; other // comments stay plain.

Only comment openers are rewritten; line numbers are kept, so Doxygen's warnings point at the
real header lines.
"""
import re
import sys

BANNER = re.compile(r"^\s*/\* -{10,} \*/\s*$")
TITLE = re.compile(r"^\s*/\* .*\S {3,}\*/\s*$")


def filter_text(text: str) -> str:
    out = []
    lines = text.split("\n")
    seen_first_comment = False
    in_block = False  # inside a multi-line /* */ comment
    file_doc_done = False
    for line in lines:
        if in_block:
            out.append(line)
            if "*/" in line:
                in_block = False
            continue
        stripped = line.lstrip()
        if stripped.startswith("/*") and not stripped.startswith("/**"):
            opens_block = "*/" not in stripped
            if not seen_first_comment:
                seen_first_comment = True  # SPDX line: keep
            elif BANNER.match(line) or TITLE.match(line) or "SPDX-License-Identifier" in line:
                pass
            elif stripped == "/*" and not file_doc_done:
                line = line.replace("/*", "/** @file", 1)  # the file's overview
                file_doc_done = True
            else:
                file_doc_done = True
                line = line.replace("/*", "/**", 1)
            in_block = opens_block
            out.append(line)
            continue
        if stripped.startswith("//") and not stripped.startswith("///"):
            out.append(line)  # C++ line comments before declarations stay plain
            continue
        # trailing member comment after code
        m = re.search(r"(\S.*?)\s/\*(?!\*)", line)
        if m and not stripped.startswith("#") and not stripped.startswith("*"):
            idx = line.index("/*", m.start(1) + len(m.group(1)))
            line = line[:idx] + "/**<" + line[idx + 2:]
            in_block = "*/" not in line[idx:]
        elif re.search(r"\S.*\s//(?!/)", line) and not stripped.startswith("#"):
            line = re.sub(r"\s//(?!/)", " ///<", line, count=1)
        elif "/*" in line and "*/" not in line[line.index("/*"):]:
            in_block = True
        out.append(line)
    return "\n".join(out)


def main() -> int:
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    sys.stdout.write(filter_text(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
