# SPDX-License-Identifier: MIT
"""A structural checker for the SARIF 2.1.0 logs this package writes.

The official JSON schema (sarif-schema-2.1.0.json) is not available offline and the standard
library has no JSON-Schema validator, so the rules below encode, for every object type we emit,
the schema's required properties, property types, numeric minimums and enums, plus a few
"SHALL" rules of the SARIF 2.1.0 specification that the schema cannot express (region
ordering, ruleIndex/ruleId agreement, defined uriBaseIds, unique relatedLocation ids, URI
syntax, embedded links "[text](id)" in a result's message naming one of its relatedLocations,
literal square brackets escaped). It is deliberately stricter than the schema in one way: unknown property names are
errors, so a typo such as "startline" cannot slip through (the schema would accept it).

Run as a program to check files:  python3 -m framealloc_tidy.sarif_check out.sarif
"""

import json
import re
import sys

# Type specs: "str", "bool", "int", ("int", minimum), ("enum", values), ("obj", name),
# ("arr", spec, min_items), ("map", spec), "uri", "uri-ref", "any".
_S = {
    "sarifLog": {"required": ["version", "runs"],
                 "props": {"$schema": "uri", "version": ("enum", ["2.1.0"]),
                           "runs": ("arr", ("obj", "run"), 0)}},
    "run": {"required": ["tool"],
            "props": {"tool": ("obj", "tool"),
                      "invocations": ("arr", ("obj", "invocation"), 0),
                      "originalUriBaseIds": ("map", ("obj", "artifactLocation")),
                      "results": ("arr", ("obj", "result"), 0),
                      "columnKind": ("enum", ["utf16CodeUnits", "unicodeCodePoints"]),
                      "properties": ("obj", "propertyBag")}},
    "tool": {"required": ["driver"],
             "props": {"driver": ("obj", "toolComponent"),
                       "extensions": ("arr", ("obj", "toolComponent"), 0)}},
    "toolComponent": {"required": ["name"],
                      "props": {"name": "str", "fullName": "str", "version": "str",
                                "semanticVersion": "str", "informationUri": "uri",
                                "organization": "str",
                                "rules": ("arr", ("obj", "reportingDescriptor"), 0)}},
    "reportingDescriptor": {"required": ["id"],
                            "props": {"id": "str", "name": "str",
                                      "shortDescription": ("obj", "multiformatMessageString"),
                                      "fullDescription": ("obj", "multiformatMessageString"),
                                      "help": ("obj", "multiformatMessageString"),
                                      "helpUri": "uri",
                                      "defaultConfiguration": ("obj", "reportingConfiguration"),
                                      "properties": ("obj", "propertyBag")}},
    "reportingConfiguration": {"required": [],
                               "props": {"enabled": "bool",
                                         "level": ("enum", ["none", "note", "warning", "error"]),
                                         "rank": "num"}},
    "multiformatMessageString": {"required": ["text"], "props": {"text": "str", "markdown": "str"}},
    "message": {"required": [], "any_of": [["text"], ["id"]],
                "props": {"text": "str", "markdown": "str", "id": "str",
                          "arguments": ("arr", "str", 0)}},
    "invocation": {"required": ["executionSuccessful"],
                   "props": {"executionSuccessful": "bool", "commandLine": "str",
                             "arguments": ("arr", "str", 0), "exitCode": "int",
                             "workingDirectory": ("obj", "artifactLocation"),
                             "toolExecutionNotifications": ("arr", ("obj", "notification"), 0),
                             "startTimeUtc": "str", "endTimeUtc": "str"}},
    "notification": {"required": ["message"],
                     "props": {"message": ("obj", "message"),
                               "level": ("enum", ["none", "note", "warning", "error"]),
                               "locations": ("arr", ("obj", "location"), 0)}},
    "result": {"required": ["message"],
               "props": {"ruleId": "str", "ruleIndex": ("int", -1),
                         "level": ("enum", ["none", "note", "warning", "error"]),
                         "kind": ("enum", ["notApplicable", "pass", "fail", "review", "open",
                                           "informational"]),
                         "message": ("obj", "message"),
                         "locations": ("arr", ("obj", "location"), 0),
                         "relatedLocations": ("arr", ("obj", "location"), 0),
                         "codeFlows": ("arr", ("obj", "codeFlow"), 0),
                         "fixes": ("arr", ("obj", "fix"), 0),
                         "partialFingerprints": ("map", "str"),
                         "fingerprints": ("map", "str"),
                         "properties": ("obj", "propertyBag")}},
    "location": {"required": [],
                 "props": {"id": ("int", -1), "physicalLocation": ("obj", "physicalLocation"),
                           "message": ("obj", "message")}},
    "physicalLocation": {"required": [], "any_of": [["artifactLocation"], ["address"]],
                         "props": {"artifactLocation": ("obj", "artifactLocation"),
                                   "region": ("obj", "region"),
                                   "contextRegion": ("obj", "region"), "address": "any"}},
    "artifactLocation": {"required": [],
                         "props": {"uri": "uri-ref", "uriBaseId": "str", "index": ("int", -1),
                                   "description": ("obj", "message")}},
    "region": {"required": [],
               "props": {"startLine": ("int", 1), "startColumn": ("int", 1),
                         "endLine": ("int", 1), "endColumn": ("int", 1),
                         "charOffset": ("int", -1), "charLength": ("int", 0),
                         "byteOffset": ("int", -1), "byteLength": ("int", 0),
                         "snippet": ("obj", "artifactContent"),
                         "message": ("obj", "message")}},
    "artifactContent": {"required": [], "props": {"text": "str", "binary": "str"}},
    "codeFlow": {"required": ["threadFlows"],
                 "props": {"message": ("obj", "message"),
                           "threadFlows": ("arr", ("obj", "threadFlow"), 1)}},
    "threadFlow": {"required": ["locations"],
                   "props": {"id": "str", "message": ("obj", "message"),
                             "locations": ("arr", ("obj", "threadFlowLocation"), 1)}},
    "threadFlowLocation": {"required": [],
                           "props": {"location": ("obj", "location"), "index": ("int", -1),
                                     "importance": ("enum", ["important", "essential",
                                                             "unimportant"]),
                                     "executionOrder": ("int", -1),
                                     "nestingLevel": ("int", 0)}},
    "fix": {"required": ["artifactChanges"],
            "props": {"description": ("obj", "message"),
                      "artifactChanges": ("arr", ("obj", "artifactChange"), 1)}},
    "artifactChange": {"required": ["artifactLocation", "replacements"],
                       "props": {"artifactLocation": ("obj", "artifactLocation"),
                                 "replacements": ("arr", ("obj", "replacement"), 1)}},
    "replacement": {"required": ["deletedRegion"],
                    "props": {"deletedRegion": ("obj", "region"),
                              "insertedContent": ("obj", "artifactContent")}},
    "propertyBag": {"required": [], "open": True,
                    "props": {"tags": ("arr", "str", 0)}},
}

# RFC 3986 characters; anything else (space, quotes, non-ASCII...) must be percent-encoded.
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class _Checker:
    def __init__(self):
        self.errors = []

    def err(self, path, text):
        self.errors.append(f"{path}: {text}")

    def value(self, v, spec, path):
        if spec == "any":
            return
        if spec == "str":
            if not isinstance(v, str):
                self.err(path, "expected a string")
        elif spec == "bool":
            if not isinstance(v, bool):
                self.err(path, "expected a boolean")
        elif spec == "num":
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                self.err(path, "expected a number")
        elif spec == "int":
            if isinstance(v, bool) or not isinstance(v, int):
                self.err(path, "expected an integer")
        elif spec in ("uri", "uri-ref"):
            if not isinstance(v, str):
                self.err(path, "expected a URI string")
            elif not _URI_CHARS.match(v) or _PCT.search(v):
                self.err(path, f"not a valid (percent-encoded) URI: {v!r}")
            elif spec == "uri" and not _SCHEME.match(v):
                self.err(path, f"expected an absolute URI: {v!r}")
            elif spec == "uri-ref" and not _SCHEME.match(v) and ":" in v.split("/")[0]:
                self.err(path, f"relative URI with ':' in its first segment: {v!r}")
        elif spec[0] == "int":
            if isinstance(v, bool) or not isinstance(v, int):
                self.err(path, "expected an integer")
            elif v < spec[1]:
                self.err(path, f"must be >= {spec[1]}, got {v}")
        elif spec[0] == "enum":
            if v not in spec[1]:
                self.err(path, f"{v!r} is not one of {spec[1]}")
        elif spec[0] == "arr":
            if not isinstance(v, list):
                self.err(path, "expected an array")
                return
            if len(v) < spec[2]:
                self.err(path, f"needs at least {spec[2]} item(s)")
            for i, item in enumerate(v):
                self.value(item, spec[1], f"{path}[{i}]")
        elif spec[0] == "map":
            if not isinstance(v, dict):
                self.err(path, "expected an object")
                return
            for k, item in v.items():
                self.value(item, spec[1], f"{path}[{k!r}]")
        elif spec[0] == "obj":
            self.obj(v, spec[1], path)
        else:  # pragma: no cover - a bug in the table above
            raise AssertionError(spec)

    def obj(self, v, type_name, path):
        if not isinstance(v, dict):
            self.err(path, f"expected a {type_name} object")
            return
        schema = _S[type_name]
        for name in schema["required"]:
            if name not in v:
                self.err(path, f"{type_name} requires '{name}'")
        any_of = schema.get("any_of")
        if any_of and not any(all(n in v for n in group) for group in any_of):
            self.err(path, f"{type_name} needs one of " + " / ".join("+".join(g) for g in any_of))
        for name, item in v.items():
            spec = schema["props"].get(name)
            if spec is None:
                if not schema.get("open"):
                    self.err(path, f"unknown property '{name}' in {type_name}")
                continue
            self.value(item, spec, f"{path}.{name}")
        extra = getattr(self, "semantic_" + type_name, None)
        if extra:
            extra(v, path)

    # -- specification rules the schema cannot express -------------------------------------

    def semantic_region(self, r, path):
        if not any(k in r for k in ("startLine", "charOffset", "byteOffset")):
            self.err(path, "region needs startLine, charOffset or byteOffset")
        if "startLine" not in r and any(k in r for k in ("startColumn", "endLine", "endColumn")):
            self.err(path, "line/column properties without startLine")
        sl, el = r.get("startLine"), r.get("endLine")
        if isinstance(sl, int) and isinstance(el, int):
            if el < sl:
                self.err(path, "endLine < startLine")
            elif el == sl and isinstance(r.get("startColumn"), int) \
                    and isinstance(r.get("endColumn"), int) and r["endColumn"] < r["startColumn"]:
                self.err(path, "endColumn < startColumn on a one-line region")

    def semantic_result(self, res, path):
        ids = [loc.get("id") for loc in res.get("relatedLocations", []) if isinstance(loc, dict)]
        ids = [i for i in ids if i is not None]
        if len(ids) != len(set(ids)):
            self.err(path, "relatedLocations ids are not unique")
        text = res.get("message", {}).get("text") if isinstance(res.get("message"), dict) \
            else None
        if isinstance(text, str):
            self._links(text, set(ids), path + ".message.text")

    def _links(self, text, ids, path):
        """SARIF 3.11.6: "[link text](target)" is a link; a literal bracket is escaped with a
        backslash. A numeric target names a relatedLocation id of the same result."""
        rest = _LINK.sub(lambda m: self._link(m, ids, path), text)
        if _UNESCAPED_BRACKET.search(rest):
            self.err(path, "unescaped '[' or ']' outside an embedded link")

    def _link(self, match, ids, path):
        target = match.group(3)
        if target.isdigit() and int(target) not in ids:
            self.err(path, f"embedded link to relatedLocation {target}, which does not exist")
        elif not target.isdigit() and not _SCHEME.match(target):
            self.err(path, f"embedded link target {target!r} is neither an id nor a URI")
        return match.group(1)

    def check_log(self, log):
        self.obj(log, "sarifLog", "$")
        if self.errors or not isinstance(log, dict):
            return
        for n, run in enumerate(log.get("runs", [])):
            self.check_run(run, f"$.runs[{n}]")

    def check_run(self, run, path):
        rules = run["tool"]["driver"].get("rules", [])
        ids = [r["id"] for r in rules]
        if len(ids) != len(set(ids)):
            self.err(path + ".tool.driver.rules", "rule ids are not unique")
        bases = run.get("originalUriBaseIds", {})
        for name, loc in bases.items():
            uri = loc.get("uri", "")
            if not _SCHEME.match(uri) or not uri.endswith("/"):
                self.err(f"{path}.originalUriBaseIds[{name!r}]",
                         "must be an absolute URI ending with '/'")
        for i, res in enumerate(run.get("results", [])):
            rpath = f"{path}.results[{i}]"
            idx = res.get("ruleIndex")
            if idx is not None and idx >= 0:
                if idx >= len(rules):
                    self.err(rpath, f"ruleIndex {idx} outside tool.driver.rules")
                elif "ruleId" in res and rules[idx]["id"] != res["ruleId"]:
                    self.err(rpath, f"ruleId {res['ruleId']!r} != rules[{idx}].id")
            self._uri_bases(res, rpath, bases)

    def _uri_bases(self, node, path, bases):
        if isinstance(node, dict):
            base = node.get("uriBaseId")
            if isinstance(base, str) and base not in bases:
                self.err(path, f"uriBaseId {base!r} is not in run.originalUriBaseIds")
            for k, v in node.items():
                self._uri_bases(v, f"{path}.{k}", bases)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                self._uri_bases(v, f"{path}[{i}]", bases)


# A link: unescaped '[', link text with escaped characters, '](', target, ')'.
_LINK = re.compile(r"(?<!\\)((?:\\\\)*)\[((?:\\.|[^\\\]])*)\]\(([^)]*)\)")
_UNESCAPED_BRACKET = re.compile(r"(?<!\\)(?:\\\\)*[\[\]]")


def check(log):
    """Returns a list of problems (empty when the log is valid)."""
    checker = _Checker()
    checker.check_log(log)
    return checker.errors


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python3 -m framealloc_tidy.sarif_check FILE.sarif...\n"
              "Checks SARIF 2.1.0 structure; exit 0 when every file is valid, 1 otherwise.")
        return 0 if argv else 2
    status = 0
    for name in argv:
        try:
            with open(name, encoding="utf-8") as f:
                log = json.load(f)
        except (OSError, ValueError) as exc:
            print(f"{name}: cannot read: {exc}")
            status = 1
            continue
        problems = check(log)
        for p in problems:
            print(f"{name}: {p}")
        if problems:
            status = 1
        else:
            count = sum(len(r.get("results", [])) for r in log["runs"])
            print(f"{name}: valid SARIF 2.1.0 ({count} results)")
    return status


if __name__ == "__main__":
    sys.exit(main())
