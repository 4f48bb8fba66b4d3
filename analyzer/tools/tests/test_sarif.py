# SPDX-License-Identifier: MIT
"""Tests of the YAML -> SARIF 2.1.0 conversion (golden files from real clang-tidy-14 output,
positions, URIs, fixes, merging) and of the structural SARIF checker."""

import copy
import glob
import json
import os
import shutil
import unittest

import support
import llvm_yaml
from framealloc_tidy import diagnostics, sarif, sarif_check

GOLDEN = os.path.join(support.DATA_DIR, "golden")
GOLDEN_DOCS = "https://example.org/framealloc/blob/main/docs/analyzer/"


def convert_case(case_dir, root):
    """Materialises a golden case under root and converts its YAML files to SARIF."""
    layout_file = os.path.join(case_dir, "layout.json")
    layout = {}
    if os.path.exists(layout_file):
        with open(layout_file, encoding="utf-8") as f:
            layout = json.load(f)
    for path in glob.glob(os.path.join(case_dir, "**", "*"), recursive=True):
        rel = os.path.relpath(path, case_dir)
        if os.path.isdir(path) or rel.endswith((".yaml", ".sarif", ".json")):
            continue
        dest = os.path.join(root, layout.get(rel, rel))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(path, dest)
    per_tu = []
    for yaml_path in sorted(glob.glob(os.path.join(case_dir, "*.yaml"))):
        with open(yaml_path, encoding="utf-8") as f:
            text = f.read()
        # Paths appear inside single- and double-quoted scalars; the temporary root has no
        # characters that need quoting, so plain substitution keeps the YAML valid.
        per_tu.append(diagnostics.load_fixes(text.replace("@ROOT@", root), yaml_path))
    log = sarif.to_sarif(diagnostics.merge(per_tu), source_root=root, tool_version="golden",
                         docs_base_url=GOLDEN_DOCS)
    # The temporary root only appears here; make the log independent of it.
    log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///@ROOT@/"
    return log


class Golden(support.TempDirMixin, unittest.TestCase):
    def check_case(self, name):
        case_dir = os.path.join(GOLDEN, name)
        log = convert_case(case_dir, os.path.join(self.tmp, "root"))
        self.assertEqual(sarif_check.check(log), [])
        expected_path = os.path.join(case_dir, "expected.sarif")
        if os.environ.get("FRAMEALLOC_UPDATE_GOLDEN") == "1":
            with open(expected_path, "w", encoding="utf-8") as f:
                json.dump(log, f, indent=2, ensure_ascii=False)
                f.write("\n")
        with open(expected_path, encoding="utf-8") as f:
            expected = json.load(f)
        self.assertEqual(log, expected)
        return log

    def test_analyzer_notes(self):
        log = self.check_case("analyzer-notes")
        results = log["runs"][0]["results"]
        malloc = next(r for r in results if r["ruleId"] == "clang-analyzer-unix.Malloc")
        self.assertEqual(malloc["locations"][0]["physicalLocation"]["region"],
                         {"startLine": 7, "startColumn": 3, "endLine": 7, "endColumn": 10})
        self.assertEqual(len(malloc["relatedLocations"]), 5)
        flow = malloc["codeFlows"][0]["threadFlows"][0]["locations"]
        self.assertEqual(len(flow), 6)
        self.assertEqual(flow[-1]["importance"], "essential")
        braces = next(r for r in results if r["ruleId"].startswith("readability-braces"))
        reps = braces["fixes"][0]["artifactChanges"][0]["replacements"]
        self.assertEqual([r["insertedContent"]["text"] for r in reps], [" {", "\n}"])

    def test_framealloc_checks(self):
        # Real plugin output: a global store, a use after the end, a begin-only wrapper.
        log = self.check_case("framealloc-checks")
        rules = log["runs"][0]["tool"]["driver"]["rules"]
        self.assertEqual([r["id"] for r in rules], ["framealloc-frame-escape",
                                                    "framealloc-use-after-frame",
                                                    "framealloc-frame-pairing"])
        for rule in rules:
            page = rule["id"][len("framealloc-"):]
            self.assertEqual(rule["helpUri"], GOLDEN_DOCS + page + ".md")
            self.assertEqual(rule["shortDescription"]["text"],
                             sarif.FRAMEALLOC_RULES[rule["id"]][0])
            self.assertEqual(rule["fullDescription"]["text"],
                             sarif.FRAMEALLOC_RULES[rule["id"]][1])
        escape, use, pairing = log["runs"][0]["results"]
        self.assertEqual(escape["message"]["text"],
                         "frame memory stored in global 'g_last' outlives its frame "
                         "([frame memory allocated here](1); [frame ended here while 'g_last' "
                         "still points into it](2))")
        self.assertEqual(escape["relatedLocations"][1]["physicalLocation"]["region"]
                         ["startLine"], 8)
        self.assertEqual(use["message"]["text"], "'p' used after its frame ended "
                         "([frame memory allocated here](1); [frame ended here](2))")
        self.assertIn("[declare 'render_frame_new' FA_BEGINS_FRAME if it begins a frame for "
                      "its caller](2)", pairing["message"]["text"])
        self.assertEqual(pairing["fixes"][0]["artifactChanges"][0]["replacements"][0]
                         ["insertedContent"]["text"].strip(), "FA_BEGINS_FRAME")

    def test_weird_path(self):
        log = self.check_case("weird-path")
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in log["runs"][0]["results"]}
        self.assertEqual(uris, {"we%27ird%3A%20dir%20%231/%C3%BCn%C3%AF%20%22q%22.c"})
        # 'p' in "int größe(int *p)": byte column 18, UTF-16 column 16.
        nonconst = [r for r in log["runs"][0]["results"]
                    if r["ruleId"] == "readability-non-const-parameter"]
        self.assertEqual(nonconst[0]["locations"][0]["physicalLocation"]["region"]["startColumn"],
                         16)

    def test_multi_tu(self):
        log = self.check_case("multi-tu")
        results = log["runs"][0]["results"]
        # The header finding is reported by both TUs but appears once.
        clones = [r for r in results if r["ruleId"] == "bugprone-branch-clone"]
        self.assertEqual(len(clones), 1)
        # common.h has CRLF line endings, an emoji on line 1 and a tab on line 3
        # ("\treturn a ? 7 : ..."): the '?' is at line 3, column 11.
        self.assertEqual(clones[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 3)
        self.assertEqual(clones[0]["locations"][0]["physicalLocation"]["region"]["startColumn"],
                         11)
        paren = next(r for r in results if r["ruleId"] == "clang-diagnostic-parentheses")
        self.assertEqual([f["description"]["text"] for f in paren["fixes"]],
                         ["place parentheses around the assignment to silence this warning",
                          "use '==' to turn this assignment into an equality comparison"])
        self.assertEqual(paren["locations"][0]["physicalLocation"]["region"],
                         {"startLine": 4, "startColumn": 9, "endLine": 4, "endColumn": 10})


def diag(message="msg", path="", offset=0, check="framealloc-frame-escape", level="Warning",
         replacements=(), notes=(), ranges=()):
    return diagnostics.Diagnostic(
        check=check, level=level,
        message=diagnostics.Message(message, path, offset, tuple(replacements), tuple(ranges)),
        notes=tuple(notes))


class Positions(support.TempDirMixin, unittest.TestCase):
    def test_columns_count_utf16_units(self):
        path = self.write("u.c", "a\n\U0001F600é\tx = 1;\r\nend".encode("utf-8"), "wb")
        cache = diagnostics.SourceCache()
        x = "a\n\U0001F600é\t".encode("utf-8")
        pos = cache.position(path, len(x))
        self.assertEqual((pos.line, pos.byte_column, pos.utf16_column), (2, 8, 5))
        self.assertEqual(pos.line_text, "\U0001F600é\tx = 1;")  # CR stripped
        end = cache.position(path, len("a\n\U0001F600é\tx = 1;\r\nend".encode()))
        self.assertEqual((end.line, end.byte_column), (3, 4))  # EOF is a valid position
        self.assertIsNone(cache.position(path, 10_000))
        self.assertIsNone(cache.position(os.path.join(self.tmp, "missing.c"), 0))
        self.assertEqual(cache.token_length(path, len(x)), 1)
        self.assertEqual(cache.token_length(path, 0), 1)

    def test_token_highlight_without_range(self):
        path = self.write("t.c", "int größe_2 = 0;\n")
        log = sarif.to_sarif([diag(path=path, offset=4)], source_root=self.tmp)
        region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
        self.assertEqual(region, {"startLine": 1, "startColumn": 5, "endLine": 1,
                                  "endColumn": 12})

    def test_missing_source_keeps_byte_offsets(self):
        gone = os.path.join(self.tmp, "gone.c")
        d = diag(path=gone, offset=5,
                 replacements=[diagnostics.Replacement(gone, 5, 3, "xyz")])
        log = sarif.to_sarif([d], source_root=self.tmp)
        self.assertEqual(sarif_check.check(log), [])
        res = log["runs"][0]["results"][0]
        self.assertNotIn("region", res["locations"][0]["physicalLocation"])
        rep = res["fixes"][0]["artifactChanges"][0]["replacements"][0]
        self.assertEqual(rep["deletedRegion"], {"byteOffset": 5, "byteLength": 3})


class Conversion(support.TempDirMixin, unittest.TestCase):
    def test_uris(self):
        inside = self.write("dir:x/a b#%.c", "x\n")
        outside = "/usr/include/stdio.h"
        log = sarif.to_sarif([diag(path=inside), diag("m2", path=outside)],
                             source_root=self.tmp)
        self.assertEqual(sarif_check.check(log), [])
        locs = [r["locations"][0]["physicalLocation"]["artifactLocation"]
                for r in log["runs"][0]["results"]]
        self.assertEqual(locs[0], {"uri": "dir%3Ax/a%20b%23%25.c", "uriBaseId": "%SRCROOT%"})
        self.assertEqual(locs[1], {"uri": "file:///usr/include/stdio.h"})
        base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        self.assertTrue(base.startswith("file:///") and base.endswith("/"))

    def test_no_location_and_levels(self):
        log = sarif.to_sarif([diag("no input files", check="clang-diagnostic-error",
                                   level="Error"),
                              diag("r", check="x-remark", level="Remark")])
        self.assertEqual(sarif_check.check(log), [])
        res = log["runs"][0]["results"]
        self.assertNotIn("locations", res[0])
        self.assertEqual([r["level"] for r in res], ["error", "note"])
        self.assertNotIn("originalUriBaseIds", log["runs"][0])

    def test_rules_once_per_check_with_matching_index(self):
        path = self.write("a.c", "int a;\nint b;\n")
        diags = [diag("one", path, 0, check="framealloc-b"),
                 diag("two", path, 7, check="framealloc-a"),
                 diag("three", path, 4, check="framealloc-b")]
        log = sarif.to_sarif(diags, source_root=self.tmp)
        rules = log["runs"][0]["tool"]["driver"]["rules"]
        self.assertEqual([r["id"] for r in rules], ["framealloc-b", "framealloc-a"])
        for res in log["runs"][0]["results"]:
            self.assertEqual(rules[res["ruleIndex"]]["id"], res["ruleId"])

    def test_docs_linked_from_rules(self):
        docs = os.path.join(self.tmp, "docs", "analyzer")
        page = self.write("docs/analyzer/frame-escape.md", "# framealloc-frame-escape\n")
        log = sarif.to_sarif([diag()], source_root=self.tmp, docs_dir=docs)
        rule = log["runs"][0]["tool"]["driver"]["rules"][0]
        self.assertEqual(rule["help"]["text"],
                         "See docs/analyzer/frame-escape.md in the framealloc repository.")
        self.assertEqual(rule["helpUri"], sarif.path_to_uri(page))
        self.assertEqual(rule["shortDescription"]["text"], "Frame memory outlives its frame")
        self.assertIn("FA_RETURNS_FRAME", rule["fullDescription"]["text"])
        # A base URL wins over the local page; it need not end with '/'.
        for base in ("https://example.org/fa/blob/main/docs/analyzer",
                     "https://example.org/fa/blob/main/docs/analyzer/"):
            log = sarif.to_sarif([diag()], source_root=self.tmp, docs_dir=docs,
                                 docs_base_url=base)
            self.assertEqual(log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"],
                             "https://example.org/fa/blob/main/docs/analyzer/frame-escape.md")

    def test_every_rule_is_described_and_linked(self):
        docs = os.path.join(self.tmp, "docs", "analyzer")
        self.write("docs/analyzer/new-check.md",
                   "# framealloc-new-check\n\nFinds new things\nover two lines.\n\n## More\n")
        checks = ["framealloc-frame-escape", "framealloc-use-after-frame",
                  "framealloc-frame-pairing", "framealloc-thread-crossing",
                  "framealloc-new-check", "clang-diagnostic-error",
                  "clang-diagnostic-unused-variable", "clang-analyzer-unix.Malloc",
                  "bugprone-branch-clone"]
        log = sarif.to_sarif([diag(check=c) for c in checks], source_root=self.tmp,
                             docs_dir=docs, docs_base_url="https://example.org/d/")
        self.assertEqual(sarif_check.check(log), [])
        rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
        for check in checks:
            rule = rules[check]
            self.assertTrue(rule["shortDescription"]["text"], check)
            self.assertTrue(rule["fullDescription"]["text"], check)
            self.assertRegex(rule["helpUri"], r"^https://", check)
        self.assertEqual(rules["framealloc-new-check"]["fullDescription"]["text"],
                         "Finds new things over two lines.")
        self.assertEqual(rules["framealloc-thread-crossing"]["helpUri"],
                         "https://example.org/d/thread-crossing.md")
        self.assertEqual(rules["clang-diagnostic-unused-variable"]["helpUri"],
                         sarif._CLANG_DIAG_DOCS + "#wunused-variable")
        self.assertEqual(rules["bugprone-branch-clone"]["helpUri"],
                         sarif._CLANG_TIDY_DOCS + "bugprone-branch-clone.html")

    def test_default_docs_are_the_repository_pages(self):
        docs = sarif.default_docs_dir()
        self.assertEqual(docs, os.path.join(support.FRAMEALLOC_ROOT, "docs", "analyzer"))
        for check in sarif.FRAMEALLOC_RULES:
            self.assertTrue(os.path.isfile(os.path.join(docs, check[len("framealloc-"):] +
                                                        ".md")), check)

    def test_messages_link_related_locations_and_escape_brackets(self):
        path = self.write("a.c", "int a;\nint b;\n")
        notes = [diagnostics.Message("frame memory allocated [here]", path, 0),
                 diagnostics.Message("no location", "", 0),
                 diagnostics.Message("frame ended here", path, 7)]
        d = diag("'a[i]' used after its frame ended \\[x", path, 4, notes=notes)
        log = sarif.to_sarif([d], source_root=self.tmp)
        self.assertEqual(sarif_check.check(log), [])
        res = log["runs"][0]["results"][0]
        self.assertEqual(res["message"]["text"],
                         "'a\\[i\\]' used after its frame ended \\\\\\[x "
                         "([frame memory allocated \\[here\\]](1); [frame ended here](3))")
        self.assertEqual([loc["id"] for loc in res["relatedLocations"]], [1, 2, 3])
        self.assertEqual(res["relatedLocations"][0]["message"]["text"],
                         "frame memory allocated \\[here\\]")
        # The fingerprint is computed from clang-tidy's text, not the SARIF rendering.
        plain = sarif.to_sarif([diag(d.message.text, path, 4)], source_root=self.tmp)
        self.assertEqual(plain["runs"][0]["results"][0]["partialFingerprints"],
                         res["partialFingerprints"])

    def test_fixes_group_by_file_and_notes_become_alternatives(self):
        a = self.write("a.c", "int x;\nint y;\n")
        b = self.write("b.h", "void f(void);\n")
        R = diagnostics.Replacement
        note = diagnostics.Message("alternative", a, 0, (R(a, 0, 3, "long"),))
        d = diag(path=a, offset=4, replacements=[R(b, 0, 0, "FA_X "), R(a, 11, 1, ""),
                                                 R(a, 4, 1, "z")], notes=[note])
        log = sarif.to_sarif([d], source_root=self.tmp)
        self.assertEqual(sarif_check.check(log), [])
        fixes = log["runs"][0]["results"][0]["fixes"]
        self.assertEqual(len(fixes), 2)
        changes = fixes[0]["artifactChanges"]
        self.assertEqual([c["artifactLocation"]["uri"] for c in changes], ["b.h", "a.c"])
        a_reps = changes[1]["replacements"]
        self.assertEqual([r["deletedRegion"]["byteOffset"] for r in a_reps], [4, 11])
        self.assertNotIn("insertedContent", a_reps[1])  # pure deletion
        self.assertEqual(a_reps[1]["deletedRegion"],
                         {"startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 6,
                          "byteOffset": 11, "byteLength": 1})
        insertion = changes[0]["replacements"][0]["deletedRegion"]
        self.assertEqual((insertion["startColumn"], insertion["endColumn"]), (1, 1))
        self.assertEqual(fixes[1]["description"]["text"], "alternative")

    def test_merge_and_fingerprints(self):
        path = self.write("h.h", "static int x;\n")
        first = diag(path=path, offset=11)
        again = diagnostics.Diagnostic(first.check, first.level, first.message, first.notes,
                                       build_dir="/other", main_file="/other.c")
        merged = diagnostics.merge([[first], [again, diag("different", path, 11)]])
        self.assertEqual(len(merged), 2)
        log = sarif.to_sarif(merged, source_root=self.tmp)
        prints = [r["partialFingerprints"]["framealloc/v1"] for r in log["runs"][0]["results"]]
        self.assertEqual(len(set(prints)), 2)
        # Moving the finding down a line keeps its fingerprint (the line text is hashed).
        with open(path, "w", encoding="utf-8") as f:
            f.write("\nstatic int x;\n")
        moved = sarif.to_sarif([diag(path=path, offset=12)], source_root=self.tmp)
        self.assertEqual(moved["runs"][0]["results"][0]["partialFingerprints"]["framealloc/v1"],
                         prints[0])

    def test_yaml_to_sarif_end_to_end_with_torture_text(self):
        path = self.write("t.c", "int main(void) { return 0; }\n")
        text = "frame pointer 'p' (\"a: b\" \\ #1)\nsecond line\tü"
        yaml_text = llvm_yaml.diagnostics_yaml(path, [{
            "name": "framealloc-frame-escape", "message": text, "path": path, "offset": 4,
            "build_dir": self.tmp, "replacements": [(path, 0, 0, "FA_RETURNS_FRAME\n")],
            "notes": [{"message": "frame begun 'here'", "path": path, "offset": 17}]}])
        log = sarif.to_sarif(diagnostics.load_fixes(yaml_text), source_root=self.tmp)
        self.assertEqual(sarif_check.check(log), [])
        res = log["runs"][0]["results"][0]
        self.assertEqual(res["message"]["text"], text + " ([frame begun 'here'](1))")
        self.assertEqual(res["relatedLocations"][0]["message"]["text"], "frame begun 'here'")
        self.assertEqual(res["relatedLocations"][0]["physicalLocation"]["region"]["startColumn"],
                         18)
        self.assertEqual(
            res["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
            "FA_RETURNS_FRAME\n")

    def test_relative_paths_use_build_directory(self):
        yaml_text = ("---\nMainSourceFile: a.c\nDiagnostics:\n  - DiagnosticName: x\n"
                     "    DiagnosticMessage:\n      Message: m\n      FilePath: 'src/../a.c'\n"
                     "      FileOffset: 0\n      Replacements: []\n    Level: Warning\n"
                     "    BuildDirectory: '/b'\n...\n")
        d = diagnostics.load_fixes(yaml_text)[0]
        self.assertEqual(d.message.path, "/b/a.c")

    def test_malformed_documents(self):
        for text in ["Diagnostics:\n  - DiagnosticName: x\n",
                     "Diagnostics:\n  - DiagnosticName: x\n    Level: Fatal\n"
                     "    DiagnosticMessage: {Message: m}\n",
                     "Diagnostics:\n  - DiagnosticName: x\n    DiagnosticMessage:\n"
                     "      Message: m\n      FileOffset: -3\n",
                     "Diagnostics: 'x'\n", "Diagnostics: [\n"]:
            with self.subTest(text=text):
                with self.assertRaises(diagnostics.FixesFormatError):
                    diagnostics.load_fixes(text)


class Checker(support.TempDirMixin, unittest.TestCase):
    def valid_log(self):
        path = self.write("a.c", "int a;\nint b;\n")
        note = diagnostics.Message("note", path, 0)
        d = diag(path=path, offset=4, notes=[note],
                 replacements=[diagnostics.Replacement(path, 0, 3, "long")])
        return sarif.to_sarif([d], source_root=self.tmp,
                              invocation={"executionSuccessful": True})

    def test_valid(self):
        self.assertEqual(sarif_check.check(self.valid_log()), [])

    def test_each_mutation_is_caught(self):
        def res(log):
            return log["runs"][0]["results"][0]

        def region(log):
            return res(log)["locations"][0]["physicalLocation"]["region"]

        mutations = {
            "version": lambda log: log.pop("version"),
            "wrong version": lambda log: log.__setitem__("version", "2.0.0"),
            "tool": lambda log: log["runs"][0].pop("tool"),
            "driver name": lambda log: log["runs"][0]["tool"]["driver"].pop("name"),
            "message": lambda log: res(log).pop("message"),
            "message text": lambda log: res(log)["message"].pop("text"),
            "level": lambda log: res(log).__setitem__("level", "warn"),
            "startLine 0": lambda log: region(log).__setitem__("startLine", 0),
            "endLine < startLine": lambda log: region(log).__setitem__("endLine", 0) or
            region(log).update(startLine=2, endLine=1),
            "endColumn < startColumn": lambda log: region(log).update(startColumn=5,
                                                                      endColumn=2),
            "typo": lambda log: region(log).__setitem__("startline", 1),
            "bool as int": lambda log: region(log).__setitem__("startLine", True),
            "uri with space": lambda log: res(log)["locations"][0]["physicalLocation"]
            ["artifactLocation"].__setitem__("uri", "a b.c"),
            "undefined base": lambda log: res(log)["locations"][0]["physicalLocation"]
            ["artifactLocation"].__setitem__("uriBaseId", "%OTHER%"),
            "base without slash": lambda log: log["runs"][0]["originalUriBaseIds"]
            ["%SRCROOT%"].__setitem__("uri", "file:///x"),
            "ruleIndex range": lambda log: res(log).__setitem__("ruleIndex", 5),
            "ruleId mismatch": lambda log: res(log).__setitem__("ruleId", "other"),
            "empty changes": lambda log: res(log)["fixes"][0].__setitem__("artifactChanges", []),
            "no deletedRegion": lambda log: res(log)["fixes"][0]["artifactChanges"][0]
            ["replacements"][0].pop("deletedRegion"),
            "empty threadFlow": lambda log: res(log)["codeFlows"][0]["threadFlows"][0]
            .__setitem__("locations", []),
            "duplicate related ids": lambda log: res(log)["relatedLocations"].append(
                copy.deepcopy(res(log)["relatedLocations"][0])),
            "executionSuccessful": lambda log: log["runs"][0]["invocations"][0].pop(
                "executionSuccessful"),
            "region without anchor": lambda log: region(log).pop("startLine"),
            "link to a missing related location": lambda log: log["runs"][0]["results"][0][
                "message"].__setitem__("text", "m ([x](9))"),
            "unescaped bracket": lambda log: log["runs"][0]["results"][0][
                "message"].__setitem__("text", "a[0] dangles"),
            "duplicate rules": lambda log: log["runs"][0]["tool"]["driver"]["rules"].append(
                {"id": res(log)["ruleId"]}),
        }
        for name, mutate in mutations.items():
            with self.subTest(mutation=name):
                log = self.valid_log()
                mutate(log)
                self.assertNotEqual(sarif_check.check(log), [], name)

    def test_cli(self):
        good = self.write("good.sarif", json.dumps(self.valid_log()))
        bad = self.write("bad.sarif", json.dumps({"version": "2.1.0"}))
        self.assertEqual(sarif_check.main([good]), 0)
        self.assertEqual(sarif_check.main([good, bad]), 1)


if __name__ == "__main__":
    unittest.main()
