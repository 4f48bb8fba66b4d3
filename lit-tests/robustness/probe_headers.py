#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds one C translation unit that includes every system header that compiles on its own
and together with the others, for the framealloc-tidy robustness test.

Steps (each result cached in the output directory, keyed by the compiler, the flags and the
size/mtime of every candidate header, so a rebuild costs one stat() per header):
  1. candidates: every *.h under the include roots (the multiarch directory first, so
     <sys/types.h> is named as the compiler finds it), minus files that are C++ (by
     content: namespace/template/class/extern "C++") or that refuse direct inclusion
     ("Never include <bits/...> directly");
  2. probe: `clang -fsyntax-only -std=gnu11 -D_GNU_SOURCE` on `#include <h>` alone, in
     parallel; headers that need special defines, missing dependencies or extra include
     paths fail here and are skipped;
  3. together: the survivors are compiled as one TU; every header whose inclusion produced
     an error (attributed through clang's "In file included from" chain to the line of the
     TU that included it) is dropped, and this repeats until the TU compiles. Headers are
     kept greedily in sorted order, so the earlier of two conflicting headers stays.

Usage: probe_headers.py OUT_DIR [--clang clang-14] [-j N]; prints the TU path.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

FLAGS = ["-std=gnu11", "-D_GNU_SOURCE"]
CACHE_VERSION = 3
_CXX_ONLY = re.compile(
    rb"^\s*(?:namespace\s+\w*\s*\{|template\s*<|class\s+\w+\s*(?::[^;{]*)?\{|"
    rb"extern\s+\"C\+\+\"|using\s+namespace\b|#\s*include\s*<(?:cstddef|cstdint|cstdio|"
    rb"cstdlib|cstring|string|vector|map|memory|iostream|utility|type_traits|algorithm|"
    rb"functional|limits|new|atomic|mutex|thread|tuple|array)>)", re.M)
_DIRECT_INCLUDE_REFUSED = re.compile(rb"#\s*error\s+\"(?:Never (?:include|use)|Only <)")
_SKIP_DIRS = {"c++"}  # libstdc++'s tree: C++ only, thousands of files, never C


def include_roots(clang):
    """The compiler's <...> search directories under /usr (multiarch first), as it uses them."""
    proc = subprocess.run([clang, "-E", "-v", "-x", "c", "/dev/null", "-o", "/dev/null"],
                          capture_output=True, text=True)
    roots = []
    inside = False
    for line in proc.stderr.splitlines():
        if line.startswith("#include <...> search starts here"):
            inside = True
        elif line.startswith("End of search list"):
            inside = False
        elif inside:
            path = line.strip()
            # The compiler's own resource headers (stddef.h...) are covered by glibc's users;
            # /usr/local holds whatever an admin installed and is not reproducible.
            if path.startswith("/usr/include") and os.path.isdir(path):
                roots.append(os.path.normpath(path))
    return roots


def candidates(roots):
    """(include name, absolute path) for every plausible C header, sorted by name.

    Vendored copies are dropped: a header whose last two path components (say
    openssl/x509.h) were already seen at a shallower include name is another copy of the same
    library (node/openssl/archs/<30 targets>/.../openssl/x509.h); the copies all conflict with
    each other and would only cost probe time and combine rounds."""
    found = {}
    for root in roots:
        nested = [r for r in roots if r != root and r.startswith(root + os.sep)]
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS
                             and os.path.join(dirpath, d) not in nested)
            for name in files:
                if not name.endswith(".h"):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if rel not in found:
                    found[rel] = path
    by_suffix = {}
    for rel in sorted(found, key=lambda n: (n.count("/"), n)):
        by_suffix.setdefault("/".join(rel.split("/")[-2:]), rel)
    keep = set(by_suffix.values())
    return sorted((rel, path) for rel, path in found.items() if rel in keep)


def looks_like_c(path):
    try:
        with open(path, "rb") as f:
            head = f.read(256 * 1024)
    except OSError:
        return False
    return not _CXX_ONLY.search(head) and not _DIRECT_INCLUDE_REFUSED.search(head)


def _compile(clang, source, extra=()):
    return subprocess.run([clang, "-fsyntax-only", *FLAGS, "-ferror-limit=0", *extra, source],
                          capture_output=True, text=True, errors="replace")


def _read_deps(path):
    """Files listed in a make-style dependency file (clang -MD), minus the target."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read().replace("\\\n", " ")
    _, _, deps = text.partition(": ")
    # Spaces inside names are escaped as "\ "; system headers have none in practice.
    return {os.path.normpath(d.replace("\\ ", " ")) for d in re.split(r"(?<!\\) +", deps.strip())
            if d}


def probe_one(clang, name, work, extra=()):
    """(compiles alone?, the files it includes) for one header."""
    stem = os.path.join(work, hashlib.sha1(name.encode()).hexdigest()[:16])
    with open(stem + ".c", "w", encoding="utf-8") as f:
        f.write(f"#include <{name}>\n")
    try:
        ok = _compile(clang, stem + ".c", [*extra, "-MD", "-MF", stem + ".d"]).returncode == 0
        deps = _read_deps(stem + ".d") if ok else set()
        deps.discard(os.path.normpath(stem + ".c"))
        return ok, deps
    finally:
        for ext in (".c", ".d"):
            if os.path.exists(stem + ext):
                os.remove(stem + ext)


_LOC = re.compile(r"(.+?):(\d+):\d+: (fatal error|error|warning|note): (.*)$")
_EARLIER = re.compile(r"previous (?:definition|declaration|implicit declaration) is here|"
                      r"previous use is here|declared here|redefinition")


def parse_errors(stderr, tu_path):
    """The errors of a compile of tu_path: dicts with file (where the error is), top (the TU
    line whose #include led there, or None) and earlier (the file of a "previous definition
    is here" note: what the error conflicts with, or None).

    clang prints the include stack outermost first ("In file included from TU:LINE:") before
    a diagnostic, but only when it differs from the previous diagnostic's, so the top-level
    line of every file seen is remembered for later errors printed without a stack."""
    errors = []
    chain = []
    top_of_file = {}
    for line in stderr.splitlines():
        m = re.match(r"(?:In file included from|\s+from) (.+?):(\d+)[:,]", line)
        if m:
            chain.append((m.group(1), int(m.group(2))))
            continue
        m = _LOC.match(line)
        if not m:
            continue
        path, lineno, severity, text = m.group(1), int(m.group(2)), m.group(3), m.group(4)
        if chain and chain[0][0] == tu_path:
            top_of_file[path] = chain[0][1]
        chain = []
        if severity in ("error", "fatal error"):
            top = lineno if path == tu_path else top_of_file.get(path)
            errors.append({"file": os.path.normpath(path), "top": top, "earlier": None})
        elif severity == "note" and errors and errors[-1]["earlier"] is None \
                and _EARLIER.search(text) and path != tu_path:
            errors[-1]["earlier"] = os.path.normpath(path)
    return errors


def write_tu(path, names):
    with open(path, "w", encoding="utf-8") as f:
        f.write("/* Generated by probe_headers.py: every system header that compiles with "
                f"{' '.join(FLAGS)}, one per line. */\n")
        for name in names:
            f.write(f"#include <{name}>\n")


def combine(clang, names, deps, work, log=None, extra=()):
    """Drops headers until the rest compiles as one TU; returns the kept list.

    For each error in file F that conflicts with an earlier file G ("previous definition is
    here"), every kept header that includes F (or G, whichever set is smaller: keep as many
    headers as possible) is dropped at once; dropping only the header on whose line the
    error surfaced would take one compile per includer, because include guards hide F from
    all later includers. A file included by a large share of the headers (a libc base
    header broken by an earlier kernel header) never takes its includers down with it: then
    only the header whose line surfaced the error goes."""
    kept = list(names)
    tu = os.path.join(work, "combine.c")
    for round_no in range(1, 100):
        write_tu(tu, kept)
        proc = _compile(clang, tu, extra)
        if proc.returncode == 0:
            return kept
        errors = parse_errors(proc.stderr, tu)
        includers = {}

        def who_includes(path):
            if path not in includers:
                includers[path] = {n for n in kept if path in deps.get(n, ())}
            return includers[path]

        popular = max(20, len(kept) // 10)
        drop = set()
        for err in errors:
            top = kept[err["top"] - 2] if err["top"] and 2 <= err["top"] < len(kept) + 2 \
                else None  # line 1 of the TU is the comment
            if top in drop:
                continue  # the header that led here is going anyway
            victims = who_includes(err["file"])
            if err["earlier"]:
                other = who_includes(err["earlier"])
                if other and len(other) < len(victims):
                    victims = other
            if not victims or len(victims) > popular:
                victims = {top} if top else set()
            drop |= victims
        if not drop:
            raise RuntimeError("the combined TU fails but no include could be blamed:\n"
                               + proc.stderr[-3000:])
        if log:
            shown = sorted(drop)
            log(f"  round {round_no}: dropping {len(drop)} conflicting header(s): "
                + ", ".join(shown[:6]) + (" ..." if len(shown) > 6 else ""))
        kept = [n for n in kept if n not in drop]
    raise RuntimeError("no compiling set of headers after 100 rounds")


def _fingerprint(clang, roots, cands):
    h = hashlib.sha256()
    # The compiler's identity, not how it was named: clang-14 and /usr/lib/llvm-14/bin/clang
    # are the same compiler (the --version text differs in its InstalledDir line).
    version = subprocess.run([clang, "--version"], capture_output=True, text=True).stdout
    binary = os.path.realpath(shutil.which(clang) or clang)
    h.update(f"{CACHE_VERSION}\0{version.splitlines()[0] if version else ''}\0{binary}\0"
             f"{FLAGS}\0{roots}\0".encode())
    for name, path in cands:
        try:
            st = os.stat(path)
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        except OSError:
            h.update(f"{name}\0missing\0".encode())
    return h.hexdigest()


def build(out_dir, clang="clang-14", jobs=None, log=print):
    """Returns (tu path, info dict). Uses the cache in out_dir when it is still valid."""
    os.makedirs(out_dir, exist_ok=True)
    roots = include_roots(clang)
    cands = candidates(roots)
    key = _fingerprint(clang, roots, cands)
    cache_path = os.path.join(out_dir, "headers-cache.json")
    tu = os.path.join(out_dir, "all_headers.c")
    try:
        with open(cache_path, encoding="utf-8") as f:
            cache = json.load(f)
        if cache.get("key") == key and os.path.exists(tu):
            log(f"header list: cached ({len(cache['together'])} headers)")
            return tu, cache
    except (OSError, ValueError):
        pass
    start = time.monotonic()
    c_like = [(n, p) for n, p in cands if looks_like_c(p)]
    log(f"header list: {len(cands)} headers under {', '.join(roots)}; {len(c_like)} look like "
        f"C; probing each with {clang} -fsyntax-only {' '.join(FLAGS)} ...")
    work = os.path.join(out_dir, "probe-work")
    os.makedirs(work, exist_ok=True)
    alone, deps = [], {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        results = pool.map(lambda np: probe_one(clang, np[0], work), c_like)
        for done, ((name, _), (good, files)) in enumerate(zip(c_like, results), 1):
            if good:
                alone.append(name)
                deps[name] = files
            if done % 500 == 0:
                log(f"  probed {done}/{len(c_like)} ({time.monotonic() - start:.0f} s)")
    log(f"  {len(alone)} compile on their own ({time.monotonic() - start:.0f} s)")
    together = combine(clang, alone, deps, work, log)
    log(f"  {len(together)} compile together ({time.monotonic() - start:.0f} s in total)")
    write_tu(tu, together)
    info = {"key": key, "roots": roots, "candidates": len(cands), "c_like": len(c_like),
            "alone": alone, "together": together}
    with open(cache_path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1)
    os.replace(cache_path + ".tmp", cache_path)
    return tu, info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", help="where the TU and the cache are written")
    parser.add_argument("--clang", default="clang-14")
    parser.add_argument("-j", "--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    tu, _ = build(args.out_dir, args.clang, args.jobs, log=lambda s: print(s, file=sys.stderr))
    print(tu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
