# SPDX-License-Identifier: MIT
"""Builds a SARIF 2.1.0 log from clang-tidy diagnostics (see diagnostics.py).

Mapping (clang-tidy 14 has no SARIF output of its own):
  * result.ruleId = check name; tool.driver.rules lists every check that fired, and
    result.ruleIndex points into it. Every rule has a shortDescription, a fullDescription and
    a helpUri: framealloc checks link their page docs/analyzer/<check>.md (under a base URL
    when one is given, else the page's file:// URI), clang-tidy checks and clang warnings
    link LLVM 14's documentation;
  * result.level: Warning -> warning, Error -> error, Remark -> note;
  * result.locations[0]: the diagnostic's file and position. Files under the source root get
    a relative URI with uriBaseId %SRCROOT% (run.originalUriBaseIds gives the absolute root),
    so the log is portable between checkouts; other files (system headers) get file:// URIs;
  * notes -> result.relatedLocations (ids 1..n, in clang-tidy's order), linked from the
    result's message text as "[note text](id)" (SARIF 3.11.6 embedded links; literal square
    brackets and the backslashes before them are escaped in every message), and, when there
    are notes, one codeFlow whose thread flow visits the notes and ends at the diagnostic;
  * fix-its -> result.fixes: the diagnostic's own replacements form one fix, and each note
    carrying replacements an alternative fix described by the note's message. Deleted regions
    carry both line/column and byteOffset/byteLength (clang-tidy's offsets are bytes);
  * columns are UTF-16 code units (SARIF's default columnKind, stated explicitly), computed
    from the file bytes, so non-ASCII lines get the columns viewers expect.
"""

import hashlib
import os
import re
import urllib.parse

from . import __version__
from .diagnostics import SourceCache

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVEL = {"Warning": "warning", "Error": "error", "Remark": "note"}
_CLANG_TIDY_DOCS = ("https://releases.llvm.org/14.0.0/tools/clang/tools/extra/docs/"
                    "clang-tidy/checks/")
_CLANG_DIAG_DOCS = "https://releases.llvm.org/14.0.0/tools/clang/docs/DiagnosticsReference.html"

# The framealloc checks (docs/analyzer/README.md's table, and each page's opening sentence).
FRAMEALLOC_RULES = {
    "framealloc-frame-escape": (
        "Frame memory outlives its frame",
        "Frame memory returned from a function not declared FA_RETURNS_FRAME, or stored into a "
        "global, a static, a long-lived (FA_LONG_LIVED) object or an object of the caller that "
        "the function ends the frame under."),
    "framealloc-use-after-frame": (
        "Frame memory used after its frame ended",
        "Frame memory read, written, passed to a function, returned or stored after the frame "
        "that allocated it ended, through aliases, struct fields and later loop iterations."),
    "framealloc-frame-pairing": (
        "Frame begin and end do not pair",
        "A frame begun but not ended on some path to the function's exit, a frame begun again "
        "by a loop before it is ended, or a frame end with no open frame (double ends, ends of "
        "a caller's frame in a function not declared FA_ENDS_FRAME)."),
    "framealloc-thread-crossing": (
        "Frame memory handed to another thread",
        "Frame memory, or an object holding frame pointers, passed to an FA_CROSSES_THREAD "
        "parameter (pthread_create's and thrd_create's argument included) or stored into an "
        "object received through an FA_THREAD_ENTRY_ARG parameter."),
}


def default_docs_dir():
    """docs/analyzer next to this package: in the source tree (analyzer/tools/framealloc_tidy
    -> docs/analyzer) or where the analyzer install component puts it
    (<datadir>/framealloc/tools/framealloc_tidy -> <datadir>/framealloc/docs/analyzer)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for rel in (("..", "..", "..", "docs", "analyzer"), ("..", "..", "docs", "analyzer")):
        path = os.path.normpath(os.path.join(here, *rel))
        if os.path.isfile(os.path.join(path, "README.md")):
            return path
    return None


def escape_message(text):
    """Plain-text message with literal '[' and ']' (and a backslash right before one)
    escaped, so that viewers do not read them as SARIF embedded links (3.11.6)."""
    return re.sub(r"(\\(?=[\[\]])|[\[\]])", r"\\\1", text)


def _first_paragraph(path):
    """The first prose paragraph of a Markdown page (after its title), as one line."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return None
    para = []
    for line in text.splitlines():
        stripped = line.strip()
        if not para and (not stripped or stripped.startswith("#")):
            continue
        if not stripped or stripped.startswith(("#", "```", "|")):
            break
        para.append(stripped)
    return " ".join(para) or None


def path_to_uri(path):
    """Absolute file:// URI of an absolute path, percent-encoded (spaces, '#', '%', quotes
    and non-ASCII bytes would otherwise break the URI)."""
    return "file://" + urllib.parse.quote(path, safe="/")


def _relative_uri(relpath):
    # ':' is encoded too: in a relative reference, a colon in the first segment would turn
    # "dir:x/a.c" into a URI with scheme "dir".
    return urllib.parse.quote(relpath.replace(os.sep, "/"), safe="/")


class _Artifacts:
    """Turns absolute paths into SARIF artifactLocations relative to the source root."""

    def __init__(self, source_root):
        self.root = os.path.normpath(os.path.abspath(source_root)) if source_root else None

    def location(self, path):
        if self.root:
            try:
                inside = os.path.commonpath([self.root, path]) == self.root
            except ValueError:  # different drives / relative vs absolute
                inside = False
            if inside and path != self.root:
                return {"uri": _relative_uri(os.path.relpath(path, self.root)),
                        "uriBaseId": SRCROOT}
        return {"uri": path_to_uri(path)}

    def base_ids(self):
        if not self.root:
            return None
        return {SRCROOT: {"uri": path_to_uri(self.root.rstrip("/") + "/")}}


class SarifBuilder:
    """Accumulates diagnostics and produces the log. Use one builder per output file."""

    def __init__(self, source_root=None, tool_name="framealloc-tidy", tool_version=__version__,
                 clang_tidy_version=None, docs_dir=None, docs_base_url=None):
        self.artifacts = _Artifacts(source_root)
        self.sources = SourceCache()
        self.tool_name = tool_name
        self.tool_version = tool_version
        self.clang_tidy_version = clang_tidy_version
        self.docs_dir = docs_dir
        # e.g. https://github.com/org/framealloc/blob/main/docs/analyzer/
        self.docs_base_url = docs_base_url
        self.rules = []
        self.rule_index = {}
        self.results = []

    # -- regions -------------------------------------------------------------------------

    def _region(self, path, offset, length=None):
        """Text region for [offset, offset+length); None when the file cannot be read.
        length None means "a point": highlight the token there."""
        start = self.sources.position(path, offset)
        if start is None:
            return None
        if length is None:
            length = self.sources.token_length(path, offset)
        region = {"startLine": start.line, "startColumn": start.utf16_column}
        end = self.sources.position(path, offset + length)
        if end is not None:
            region["endLine"] = end.line
            region["endColumn"] = end.utf16_column
        return region

    def _physical(self, path, offset, ranges=()):
        phys = {"artifactLocation": self.artifacts.location(path)}
        # A range that starts at the diagnostic's offset says what clang underlined.
        length = next((r.length for r in ranges if r.path == path and r.offset == offset), None)
        region = self._region(path, offset, length)
        if region is not None:
            phys["region"] = region
        return phys

    def _location(self, msg, text=None, loc_id=None):
        loc = {}
        if loc_id is not None:
            loc["id"] = loc_id
        if msg.path:
            loc["physicalLocation"] = self._physical(msg.path, msg.offset, msg.ranges)
        if text is not None:
            loc["message"] = {"text": text}
        return loc

    # -- fixes ---------------------------------------------------------------------------

    def _fix(self, replacements, description):
        by_file = {}
        for rep in replacements:
            by_file.setdefault(rep.path, []).append(rep)
        changes = []
        for path, reps in by_file.items():
            out = []
            for rep in sorted(reps, key=lambda r: (r.offset, r.length)):
                deleted = self._region(rep.path, rep.offset, rep.length) or {}
                deleted["byteOffset"] = rep.offset
                deleted["byteLength"] = rep.length
                item = {"deletedRegion": deleted}
                if rep.text:
                    item["insertedContent"] = {"text": rep.text}
                out.append(item)
            changes.append({"artifactLocation": self.artifacts.location(path),
                            "replacements": out})
        fix = {"artifactChanges": changes}
        if description:
            fix["description"] = {"text": description}
        return fix

    # -- rules ---------------------------------------------------------------------------

    def _rule(self, check):
        if check in self.rule_index:
            return self.rule_index[check]
        rule = {"id": check}
        if check.startswith("framealloc-"):
            short, full, uri, doc = self._framealloc_rule(check)
            if doc:
                rule["help"] = {"text": f"See {doc} in the framealloc repository."}
        elif check == "clang-diagnostic-error":
            short = "Clang compile error"
            full = ("The translation unit does not compile, so clang-tidy did not analyse it; "
                    "the message is the compiler's.")
            uri = _CLANG_DIAG_DOCS
        elif check.startswith("clang-diagnostic-"):
            flag = check[len("clang-diagnostic-"):]
            short = f"Clang warning -W{flag}"
            full = (f"A warning of Clang's -W{flag} group, reported by clang-tidy while parsing "
                    "the translation unit.")
            uri = f"{_CLANG_DIAG_DOCS}#w{flag.lower()}"
        else:
            group, _, name = check.partition("-")
            if group == "clang" and name.startswith("analyzer-"):
                checker = name[len("analyzer-"):]
                short = f"Clang Static Analyzer checker {checker}"
                full = (f"The Clang Static Analyzer's {checker} checker, run by clang-tidy 14 "
                        f"as {check}; its documentation says what it reports.")
                uri = _CLANG_TIDY_DOCS + "list.html"
            else:
                short = f"clang-tidy check {check}"
                full = f"The {check} check of clang-tidy 14; its documentation says what it reports."
                uri = _CLANG_TIDY_DOCS + check + ".html"
        rule["shortDescription"] = {"text": short}
        rule["fullDescription"] = {"text": full}
        if uri:
            rule["helpUri"] = uri
        self.rule_index[check] = len(self.rules)
        self.rules.append(rule)
        return self.rule_index[check]

    def _framealloc_doc_path(self, check):
        if not self.docs_dir:
            return None
        short = check[len("framealloc-"):]
        for name in (check, short):
            path = os.path.join(self.docs_dir, name + ".md")
            if os.path.isfile(path):
                return os.path.abspath(path)
        return None

    def _framealloc_rule(self, check):
        """(shortDescription, fullDescription, helpUri or None, doc path for help text)."""
        page = check[len("framealloc-"):]
        short, full = FRAMEALLOC_RULES.get(
            check, (f"framealloc check {page}", f"The framealloc-tidy check {check}."))
        path = self._framealloc_doc_path(check)
        doc = None
        if path:
            root = self.artifacts.root
            doc = os.path.relpath(path, root) if root else path
            if check not in FRAMEALLOC_RULES:  # a newer check: its page describes it
                full = _first_paragraph(path) or full
        if self.docs_base_url:
            base = self.docs_base_url if self.docs_base_url.endswith("/") else \
                self.docs_base_url + "/"
            uri = base + urllib.parse.quote(page) + ".md"
        elif path:
            uri = path_to_uri(path)
        else:
            uri = None
        return short, full, uri, doc

    # -- results -------------------------------------------------------------------------

    def _fingerprint(self, diag):
        """Stable across line shifts: rule, file, message and the text of the flagged line,
        so baselines survive unrelated edits above the finding."""
        msg = diag.message
        pos = self.sources.position(msg.path, msg.offset) if msg.path else None
        loc = self.artifacts.location(msg.path)["uri"] if msg.path else ""
        line = " ".join(pos.line_text.split()) if pos else ""
        digest = hashlib.sha256("\0".join((diag.check, loc, msg.text, line)).encode()).hexdigest()
        return digest[:32]

    def _message_text(self, diag):
        """The result's message; each note with a location becomes an embedded link to its
        relatedLocation ("[text](id)"), so viewers can jump to the allocation or the end."""
        text = escape_message(diag.message.text or diag.check)
        links = [f"[{escape_message(n.text or 'related location')}]({i + 1})"
                 for i, n in enumerate(diag.notes) if n.path]
        if links:
            text += " (" + "; ".join(links) + ")"
        return text

    def add(self, diag):
        index = self._rule(diag.check)
        result = {"ruleId": diag.check, "ruleIndex": index, "level": _LEVEL[diag.level],
                  "message": {"text": self._message_text(diag)}}
        primary = self._location(diag.message)
        if primary:
            result["locations"] = [primary]
        if diag.notes:
            result["relatedLocations"] = [self._location(n, escape_message(n.text), i + 1)
                                          for i, n in enumerate(diag.notes)]
            steps = [{"location": self._location(n, escape_message(n.text))}
                     for n in diag.notes]
            last = self._location(diag.message, escape_message(diag.message.text))
            steps.append({"location": last, "importance": "essential"})
            for order, step in enumerate(steps, 1):
                step["executionOrder"] = order
            result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
        fixes = []
        if diag.message.replacements:
            fixes.append(self._fix(diag.message.replacements, None))
        for note in diag.notes:
            if note.replacements:
                fixes.append(self._fix(note.replacements, escape_message(note.text)))
        if fixes:
            result["fixes"] = fixes
        result["partialFingerprints"] = {"framealloc/v1": self._fingerprint(diag)}
        self.results.append(result)

    def build(self, invocation=None):
        """The SARIF log as a dict. invocation: optional dict with executionSuccessful and
        toolExecutionNotifications (tool failures: crashes, TUs that did not compile)."""
        full = f"{self.tool_name} {self.tool_version}"
        if self.clang_tidy_version:
            full += f" (clang-tidy {self.clang_tidy_version})"
        driver = {"name": self.tool_name, "fullName": full, "version": self.tool_version,
                  "semanticVersion": self.tool_version, "rules": self.rules}
        run = {"tool": {"driver": driver}, "columnKind": "utf16CodeUnits"}
        base = self.artifacts.base_ids()
        if base:
            run["originalUriBaseIds"] = base
        if invocation is not None:
            run["invocations"] = [invocation]
        run["results"] = self.results
        return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def notification(text, level="error", path=None, artifacts=None):
    """A toolExecutionNotification (for invocations) about a failed translation unit."""
    note = {"level": level, "message": {"text": text}}
    if path and artifacts is not None:
        note["locations"] = [{"physicalLocation": {"artifactLocation": artifacts.location(path)}}]
    return note


def to_sarif(diagnostics, source_root=None, invocation=None, **builder_args):
    """Convenience: SARIF log dict for an iterable of Diagnostic objects."""
    builder = SarifBuilder(source_root=source_root, **builder_args)
    for diag in diagnostics:
        builder.add(diag)
    return builder.build(invocation)
