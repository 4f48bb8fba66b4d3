# SPDX-License-Identifier: MIT
"""Tests of the --export-fixes YAML reader: real clang-tidy 14 output, hand-written edge cases
(quoting, escapes, folding) and a generated round trip through LLVM's quoting rules."""

import os
import random
import subprocess
import tempfile
import unittest

import support  # noqa: F401  (sets sys.path)
import llvm_yaml
from framealloc_tidy.fixes_yaml import YamlError, load, load_all


class RealOutput(unittest.TestCase):
    """Files written by clang-tidy-14 itself (tests/data/golden/*)."""

    def read(self, *parts):
        with open(os.path.join(support.DATA_DIR, "golden", *parts), "rb") as f:
            return load(f.read())

    def test_analyzer_notes(self):
        doc = self.read("analyzer-notes", "fixes.yaml")
        self.assertEqual(doc["MainSourceFile"], "@ROOT@/src/notes.c")
        diags = doc["Diagnostics"]
        self.assertEqual(len(diags), 7)
        braces = next(d for d in diags if d["DiagnosticName"].startswith("readability-braces"))
        reps = braces["DiagnosticMessage"]["Replacements"]
        self.assertEqual([r["ReplacementText"] for r in reps], [" {", "\n}"])
        malloc = next(d for d in diags if d["DiagnosticName"] == "clang-analyzer-unix.Malloc")
        self.assertEqual([n["Message"] for n in malloc["Notes"]],
                         ["Memory is allocated", "Assuming 'p' is null", "Taking false branch",
                          "Memory is released", "Attempt to free released memory"])
        self.assertEqual(malloc["Notes"][0]["Ranges"],
                         [{"FilePath": "@ROOT@/src/notes.c", "FileOffset": "67", "Length": "9"}])
        self.assertEqual(malloc["DiagnosticMessage"]["Replacements"], [])
        strcpy = next(d for d in diags if "strcpy" in d["DiagnosticName"])
        self.assertIn("Call to function 'strcpy' is insecure", strcpy["Notes"][0]["Message"])

    def test_weird_path(self):
        doc = self.read("weird-path", "fixes.yaml")
        path = "@ROOT@/we'ird: dir #1/ünï \"q\".c"
        self.assertEqual(doc["MainSourceFile"], path)
        for d in doc["Diagnostics"]:
            self.assertEqual(d["DiagnosticMessage"]["FilePath"], path)
            self.assertEqual(d["BuildDirectory"], "@ROOT@/we'ird: dir #1")
        messages = [d["DiagnosticMessage"]["Message"] for d in doc["Diagnostics"]]
        self.assertIn("suspicious usage of 'sizeof(...)/sizeof(...)'; numerator is not a "
                      "multiple of denominator", messages)

    @unittest.skipUnless(support.real_clang_tidy(), "clang-tidy not installed")
    def test_fresh_clang_tidy_run_on_hostile_path(self):
        """Runs the real tool in a directory whose name needs every quoting style, so the
        test keeps passing only if the reader matches what the installed clang-tidy does."""
        with tempfile.TemporaryDirectory() as tmp:
            folder = os.path.join(tmp, "q'uo\"te: #x ü")
            os.makedirs(folder)
            src = os.path.join(folder, "é'.c")
            with open(src, "w", encoding="utf-8") as f:
                f.write("int f(int a) { return a ? 1 : 1; }\nint g(int *p) { if (p) return 1;"
                        " return 0; }\n")
            fixes = os.path.join(tmp, "out.yaml")
            subprocess.run([support.real_clang_tidy(), "--checks=-*,bugprone-branch-clone,"
                            "readability-braces-around-statements", f"--export-fixes={fixes}",
                            src, "--"], capture_output=True, check=False, cwd=folder)
            with open(fixes, "rb") as f:
                doc = load(f.read())
        self.assertEqual(doc["MainSourceFile"], src)
        names = sorted(d["DiagnosticName"] for d in doc["Diagnostics"])
        self.assertEqual(names, ["bugprone-branch-clone", "readability-braces-around-statements"])
        self.assertEqual(doc["Diagnostics"][0]["DiagnosticMessage"]["FilePath"], src)
        self.assertEqual(doc["Diagnostics"][0]["DiagnosticMessage"]["FileOffset"], "24")


class Scalars(unittest.TestCase):
    def value(self, text):
        return load("k: " + text + "\n")["k"]

    def test_plain(self):
        self.assertEqual(self.value("statement should be inside braces"),
                         "statement should be inside braces")
        self.assertEqual(self.value("a # comment"), "a")
        self.assertEqual(self.value("a#b"), "a#b")
        self.assertEqual(self.value("http://x/y:z"), "http://x/y:z")
        self.assertEqual(self.value("010"), "010")  # no YAML 1.1 octal surprises
        self.assertEqual(self.value("no"), "no")  # ... nor booleans
        self.assertIsNone(load("k:\n")["k"])
        self.assertIsNone(load("k: # only a comment\n")["k"])

    def test_single_quoted(self):
        self.assertEqual(self.value("''"), "")
        self.assertEqual(self.value("'parameter name ''p'' is too short'"),
                         "parameter name 'p' is too short")
        self.assertEqual(self.value("'a: b # c, [d] {e} \\n \\\\ \"f\"'"),
                         "a: b # c, [d] {e} \\n \\\\ \"f\"")  # no escapes in single quotes
        self.assertEqual(self.value("''''"), "'")
        self.assertEqual(self.value("' lead and trail '"), " lead and trail ")

    def test_double_quoted_escapes(self):
        cases = {
            r'"\n}"': "\n}", r'"\t\\\""': "\t\\\"", r'"\0\a\b\v\f\r\e"': "\0\a\b\v\f\r\x1b",
            r'"\ \/"': " /", r'"\N\_\L\P"': "\x85\xa0\u2028\u2029",
            r'"\x41\u00e9\U0001F600"': "Aé\U0001F600", '"ünï \\"q\\""': 'ünï "q"',
            '"tab\\\there"': "tab\there",
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(self.value(text), expected)

    def test_folding(self):
        self.assertEqual(load("k: 'one\n   two\n\n   three'\n")["k"], "one two\nthree")
        self.assertEqual(load('k: "one   \n  two\n\n\n  three"\n')["k"], "one two\n\nthree")
        # Escaped line break: joined without a space, next line's indent dropped.
        self.assertEqual(load('k: "abc\\\n    def"\n')["k"], "abcdef")
        # An escaped blank before the break survives the trailing-blank strip.
        self.assertEqual(load('k: "abc\\t\n  def"\n')["k"], "abc\t def")
        self.assertEqual(load("k: plain\n  continued\n\n  more\nj: 1\n"),
                         {"k": "plain continued\nmore", "j": "1"})

    def test_bad_scalars(self):
        for text in ['"unterminated', "'unterminated", r'"\q"', r'"\x4"', r'"\UFFFFFFFF"',
                     "&anchor x", "*alias", "!tag x", "|", ">-", "'a'b", "%x"]:
            with self.subTest(text=text):
                with self.assertRaises(YamlError):
                    load("k: " + text + "\n")


class Structure(unittest.TestCase):
    def test_nested_and_compact(self):
        doc = load("---\nA:  1\nL:\n  - X: 1\n    Y: [ ]\n  - Z:\n      - 'q'\n      -\n"
                   "        inner: v\nM: {}\nS:\n- same\n- indent\n...\n")
        self.assertEqual(doc, {"A": "1", "L": [{"X": "1", "Y": []},
                                               {"Z": ["q", {"inner": "v"}]}],
                               "M": {}, "S": ["same", "indent"]})

    def test_flow_collections(self):
        self.assertEqual(load("k: [a, 'b, c', \"d\", {e: f}, [g]]\n")["k"],
                         ["a", "b, c", "d", {"e": "f"}, ["g"]])
        self.assertEqual(load("k: {a: 1, 'b': [x, y]}\n")["k"], {"a": "1", "b": ["x", "y"]})
        self.assertEqual(load("k: [a,\n  b] # c\n")["k"], ["a", "b"])

    def test_quoted_keys_and_comments(self):
        doc = load("# top comment\n'a: b': 1\n\"c\\td\": 2\n  # indented comment\ne: 3 # x\n")
        self.assertEqual(doc, {"a: b": "1", "c\td": "2", "e": "3"})

    def test_documents(self):
        self.assertEqual(load_all(""), [])
        self.assertEqual(load_all("---\n...\n"), [None])
        self.assertEqual(load_all("---\na: 1\n...\n---\nb: 2\n...\n"), [{"a": "1"}, {"b": "2"}])
        self.assertEqual(load_all("a: 1\n---\nb: 2\n"), [{"a": "1"}, {"b": "2"}])
        with self.assertRaises(YamlError):
            load("---\na: 1\n---\nb: 2\n")

    def test_line_endings_and_bom(self):
        self.assertEqual(load("\ufeffa: 'x\r\n  y'\r\nb: 2\r\n"), {"a": "x y", "b": "2"})
        self.assertEqual(load(b"a: \"\xc3\xa9\"\n"), {"a": "é"})

    def test_structural_errors(self):
        bad = ["a: 1\n  b: 2\n", "a: 1\na: 2\n", "\ta: 1\n", "a:\n\t- x\n", "- a\nb: 1\n",
               "a: [1, 2\n", "a: [1, 2] x\n", "a: {b: 1\n", "a: 'x'\n---\n  'y\n"]
        for text in bad:
            with self.subTest(text=text):
                with self.assertRaises(YamlError):
                    load(text)

    def test_error_names_the_line(self):
        with self.assertRaises(YamlError) as ctx:
            load("a: 1\nb: 2\nc: \"\\q\"\n")
        self.assertEqual(ctx.exception.line, 2)
        self.assertIn("line 3", str(ctx.exception))


class LlvmQuotingRoundTrip(unittest.TestCase):
    """The torture test: strings with every character class LLVM treats specially, quoted
    exactly as LLVM 14 quotes them, embedded where clang-tidy puts messages."""

    SPECIAL = ["'", '"', ":", ": ", " #", "#", "\\", "\\n", "\n", "\r\n", "\t", "-", "- ",
               "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "%", "@", "`", "?", " ",
               "é", "ß", "\U0001F600", "\x00", "\x1b", "\x7f", "\x85", "\xa0", "\u2028",
               "null", "true", "~", "0x1F", "1e3", "---", "...", "''", '\\"', "\\\\"]

    def random_strings(self):
        rng = random.Random(1234)  # deterministic
        alphabet = self.SPECIAL + list("abcXYZ019 _.,^/()") + ["word", "frame"]
        for _ in range(2000):
            yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        yield from self.SPECIAL

    def test_generated_messages(self):
        for text in self.random_strings():
            doc = llvm_yaml.diagnostics_yaml("/src/main.c", [{
                "name": "framealloc-frame-escape", "message": text, "path": "/src/" + text,
                "offset": 7, "build_dir": "/b", "replacements": [("/src/x.c", 1, 2, text)],
                "notes": [{"message": text, "path": "/src/n.c", "offset": 3}]}])
            with self.subTest(text=text, yaml=doc):
                parsed = load(doc)["Diagnostics"][0]
                self.assertEqual(parsed["DiagnosticMessage"]["Message"], text)
                self.assertEqual(parsed["DiagnosticMessage"]["FilePath"], "/src/" + text)
                self.assertEqual(
                    parsed["DiagnosticMessage"]["Replacements"][0]["ReplacementText"], text)
                self.assertEqual(parsed["Notes"][0]["Message"], text)

    def test_quoting_rules_cover_all_styles(self):
        styles = {llvm_yaml.needs_quotes(t) for t in self.SPECIAL}
        self.assertEqual(styles, {"none", "single", "double"})


if __name__ == "__main__":
    unittest.main()
