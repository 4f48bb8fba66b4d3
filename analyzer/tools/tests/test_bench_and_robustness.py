# SPDX-License-Identifier: MIT
"""Tests of the analyzer's benchmark generator (bench/analyzer/gen_bench.py) and of the
robustness test's header tooling (lit-tests/robustness/probe_headers.py) that need no
plugin: determinism, seeded-mistake bookkeeping, generated code that compiles cleanly, and
the compiler-output parsing the header set is built from."""

import os
import shutil
import subprocess
import sys
import unittest

import support

sys.path.insert(0, os.path.join(support.FRAMEALLOC_ROOT, "bench", "analyzer"))
sys.path.insert(0, os.path.join(support.FRAMEALLOC_ROOT, "lit-tests", "robustness"))
import gen_bench  # noqa: E402
import probe_headers  # noqa: E402

CLANG = shutil.which("clang-14") or shutil.which("clang")


class GenBench(support.TempDirMixin, unittest.TestCase):
    def test_deterministic_and_sized(self):
        a, _ = gen_bench.generate(lines=3000, seed=7)
        b, _ = gen_bench.generate(lines=3000, seed=7)
        c, _ = gen_bench.generate(lines=3000, seed=8)
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        self.assertGreaterEqual(a.count("\n"), 3000)
        self.assertLess(a.count("\n"), 3100)
        self.assertNotIn("SEEDED", a)
        for needle in ("fa_begin_frame", "switch (", "goto out;", "FA_RETURNS_FRAME",
                       "pthread_create", "fa_transfer_create", "FA_LONG_LIVED"):
            self.assertIn(needle, a)

    def test_seeded_mistakes_are_where_the_manifest_says(self):
        text, seeded = gen_bench.generate(lines=4000, seed=3, mistakes=10)
        lines = text.split("\n")
        self.assertEqual(len(seeded), 10)
        self.assertEqual({m["kind"] for m in seeded}, set(gen_bench.MISTAKES))
        for m in seeded:
            self.assertIn(f"/* SEEDED: {m['kind']} */", lines[m["marker_line"] - 1])
            self.assertLessEqual(m["start_line"], m["marker_line"])
            self.assertLessEqual(m["marker_line"], m["end_line"])
            body = "\n".join(lines[m["start_line"] - 1:m["end_line"]])
            self.assertEqual(body.count("SEEDED"), 1)
        # Mistakes never overlap and are spread over the file.
        starts = [m["start_line"] for m in seeded]
        self.assertEqual(starts, sorted(starts))
        self.assertGreater(starts[-1] - starts[0], 2000)

    @unittest.skipUnless(CLANG, "clang not installed")
    def test_generated_code_compiles_without_warnings(self):
        text, _ = gen_bench.generate(lines=3000, seed=5, mistakes=8)
        path = self.write("gen.c", text)
        for defines in ([], ["-DFA_ANNOTATIONS_ENABLED=1"]):
            proc = subprocess.run([CLANG, "-fsyntax-only", "-std=gnu11", "-Wall", "-Wextra",
                                   "-Werror", *support.INCLUDE_FLAGS, *defines, path],
                                  capture_output=True, text=True)
            self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])


class ProbeHeaders(support.TempDirMixin, unittest.TestCase):
    TU = "/b/combine.c"

    def test_parse_errors_follows_include_stacks(self):
        stderr = (
            "In file included from /b/combine.c:5:\n"
            "In file included from /usr/include/netinet/in.h:37:\n"
            "/usr/include/bits/in.h:150:8: error: redefinition of 'in_pktinfo'\n"
            "struct in_pktinfo\n       ^\n"
            "/usr/include/linux/in.h:12:8: note: previous definition is here\n"
            "/usr/include/bits/in.h:160:8: error: redefinition of 'ip_mreqn'\n"
            "In file included from /b/combine.c:9:\n"
            "/usr/include/x.h:3:1: warning: something\n"
            "/usr/include/x.h:4:1: error: unknown type name 'foo'\n"
            "/b/combine.c:12:10: fatal error: 'gone.h' file not found\n")
        errors = probe_headers.parse_errors(stderr, self.TU)
        self.assertEqual([(e["file"], e["top"], e["earlier"]) for e in errors], [
            ("/usr/include/bits/in.h", 5, "/usr/include/linux/in.h"),
            ("/usr/include/bits/in.h", 5, None),  # no stack printed: same file as before
            ("/usr/include/x.h", 9, None),
            ("/b/combine.c", 12, None)])

    def test_read_deps(self):
        path = self.write("x.d", "x.o: /b/x.c /usr/include/a.h \\\n  /usr/include/sub/../b.h\n")
        self.assertEqual(probe_headers._read_deps(path),
                         {"/b/x.c", "/usr/include/a.h", "/usr/include/b.h"})

    def test_cxx_and_internal_headers_are_not_candidates(self):
        cases = {"c.h": (b"#pragma once\nstruct s { int a; };\nint f(void);\n", True),
                 "ns.h": (b"namespace foo {\nint f();\n}\n", False),
                 "tpl.h": (b"template <typename T> T id(T t);\n", False),
                 "cls.h": (b"class Foo : public Bar {\n};\n", False),
                 "bits.h": (b'# error "Never include <bits/x.h> directly; use <x.h>."\n', False),
                 "comment.h": (b"/* a class of errors { */\nint g(void);\n", True)}
        for name, (content, is_c) in cases.items():
            with self.subTest(name=name):
                self.assertEqual(probe_headers.looks_like_c(self.write(name, content, "wb")),
                                 is_c)

    def test_vendored_copies_are_dropped(self):
        root = os.path.join(self.tmp, "inc")
        for rel in ("openssl/x509.h", "node/openssl/x509.h",
                    "node/openssl/archs/linux/include/openssl/x509.h", "zlib.h", "node/zlib.h"):
            self.write(os.path.join("inc", rel), "int x;\n")
        names = [n for n, _ in probe_headers.candidates([root])]
        self.assertEqual(names, ["node/zlib.h", "openssl/x509.h", "zlib.h"])

    @unittest.skipUnless(CLANG, "clang not installed")
    def test_combine_keeps_the_larger_side_of_a_conflict(self):
        # b.h conflicts with a.h. c.h includes b.h, so b.h's side has two headers: dropping
        # a.h keeps more. Once e.h and f.h include a.h too, a.h's side is bigger.
        self.write("inc/a.h", "#ifndef A_H\n#define A_H\nstruct point { int x; };\n#endif\n")
        self.write("inc/b.h", "#ifndef B_H\n#define B_H\nstruct point { float y; };\n#endif\n")
        self.write("inc/c.h", "#include <b.h>\nint c_uses_b(void);\n")
        self.write("inc/d.h", "int d(void);\n")
        self.assertEqual(self._combine(["a.h", "b.h", "c.h", "d.h"]), ["b.h", "c.h", "d.h"])
        self.write("inc/e.h", "#include <a.h>\nint e(void);\n")
        self.write("inc/f.h", "#include <a.h>\nint f(void);\n")
        self.assertEqual(self._combine(["a.h", "b.h", "c.h", "d.h", "e.h", "f.h"]),
                         ["a.h", "d.h", "e.h", "f.h"])

    def _combine(self, names):
        inc = os.path.join(self.tmp, "inc")
        work = os.path.join(self.tmp, "work")
        os.makedirs(work, exist_ok=True)
        deps = {}
        for name in names:
            ok, files = probe_headers.probe_one(CLANG, name, work, extra=["-I" + inc])
            self.assertTrue(ok, name)
            deps[name] = files
        return probe_headers.combine(CLANG, names, deps, work, extra=["-I" + inc])


if __name__ == "__main__":
    unittest.main()
