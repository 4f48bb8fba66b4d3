# SPDX-License-Identifier: MIT
"""The diagnostics of clang-tidy's --export-fixes YAML as plain objects, and the source-file
positions (line, column) behind their byte offsets.

clang-tidy 14 writes one `TranslationUnitDiagnostics` document per run:

    MainSourceFile: '/src/a.c'
    Diagnostics:
      - DiagnosticName: framealloc-...
        DiagnosticMessage: {Message, FilePath, FileOffset, Replacements: [...], Ranges: [...]}
        Notes: [{Message, FilePath, FileOffset, Replacements, Ranges}, ...]
        Level: Warning | Error | Remark
        BuildDirectory: '/build'

Offsets are byte offsets into the file as it was read, so positions are computed from the
file's bytes, never from decoded text.
"""

import os
from dataclasses import dataclass, field

from . import fixes_yaml

LEVELS = ("Warning", "Error", "Remark")


class FixesFormatError(ValueError):
    """The YAML parsed but is not the shape clang-tidy writes."""


@dataclass(frozen=True)
class Replacement:
    path: str
    offset: int
    length: int
    text: str


@dataclass(frozen=True)
class Range:
    path: str
    offset: int
    length: int


@dataclass(frozen=True)
class Message:
    """A diagnostic's main message or one of its notes."""
    text: str
    path: str  # absolute, normalised; "" when clang-tidy gave no location
    offset: int
    replacements: tuple = ()
    ranges: tuple = ()


@dataclass(frozen=True)
class Diagnostic:
    check: str
    level: str  # one of LEVELS
    message: Message
    notes: tuple = ()
    build_dir: str = ""
    main_file: str = field(default="", compare=False)  # the TU that produced it (first seen)

    def key(self):
        """Identity used to merge the same finding reported by several translation units
        (a header's diagnostic appears once per TU including it)."""
        return (self.check, self.level, self.message, self.notes)


def _field(mapping, name, where, required=True):
    if not isinstance(mapping, dict):
        raise FixesFormatError(f"{where}: expected a mapping, got {type(mapping).__name__}")
    if name not in mapping:
        if required:
            raise FixesFormatError(f"{where}: missing '{name}'")
        return None
    return mapping[name]


def _int(value, where):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise FixesFormatError(f"{where}: expected an integer, got {value!r}") from None
    if number < 0:
        raise FixesFormatError(f"{where}: negative offset {number}")
    return number


def _path(raw, build_dir):
    if not raw:
        return ""
    path = raw if os.path.isabs(raw) or not build_dir else os.path.join(build_dir, raw)
    return os.path.normpath(path)


def _seq(value, where):
    if value is None:
        return []
    if not isinstance(value, list):
        raise FixesFormatError(f"{where}: expected a sequence")
    return value


def _message(raw, build_dir, where):
    text = _field(raw, "Message", where)
    path = _path(_field(raw, "FilePath", where, required=False), build_dir)
    offset = _int(_field(raw, "FileOffset", where, required=False) or 0, where + ".FileOffset")
    reps = []
    for i, rep in enumerate(_seq(_field(raw, "Replacements", where, False), where)):
        w = f"{where}.Replacements[{i}]"
        reps.append(Replacement(
            path=_path(_field(rep, "FilePath", w), build_dir),
            offset=_int(_field(rep, "Offset", w), w + ".Offset"),
            length=_int(_field(rep, "Length", w), w + ".Length"),
            text=_field(rep, "ReplacementText", w, required=False) or ""))
    ranges = []
    for i, rng in enumerate(_seq(_field(raw, "Ranges", where, False), where)):
        w = f"{where}.Ranges[{i}]"
        ranges.append(Range(path=_path(_field(rng, "FilePath", w), build_dir),
                            offset=_int(_field(rng, "FileOffset", w), w + ".FileOffset"),
                            length=_int(_field(rng, "Length", w), w + ".Length")))
    return Message(text=text or "", path=path, offset=offset,
                   replacements=tuple(reps), ranges=tuple(ranges))


def diagnostics_from_document(doc, where="fixes"):
    """Turns one parsed TranslationUnitDiagnostics document into Diagnostic objects."""
    if doc is None:
        return []
    main_file = _field(doc, "MainSourceFile", where, required=False) or ""
    result = []
    for i, raw in enumerate(_seq(_field(doc, "Diagnostics", where, False), where)):
        w = f"{where}.Diagnostics[{i}]"
        build_dir = _field(raw, "BuildDirectory", w, required=False) or ""
        level = _field(raw, "Level", w, required=False) or "Warning"
        if level not in LEVELS:
            raise FixesFormatError(f"{w}: unknown Level {level!r}")
        # clang-tidy 14 nests the message; older releases (<= 8) had the fields inline.
        raw_msg = raw.get("DiagnosticMessage", raw) if isinstance(raw, dict) else raw
        message = _message(raw_msg, build_dir, w + ".DiagnosticMessage")
        notes = tuple(_message(n, build_dir, f"{w}.Notes[{j}]")
                      for j, n in enumerate(_seq(_field(raw, "Notes", w, False), w)))
        result.append(Diagnostic(check=_field(raw, "DiagnosticName", w), level=level,
                                 message=message, notes=notes, build_dir=build_dir,
                                 main_file=main_file))
    return result


def load_fixes(text, where="fixes"):
    """Parses export-fixes YAML text (all documents) into Diagnostic objects."""
    try:
        docs = fixes_yaml.load_all(text)
    except fixes_yaml.YamlError as exc:
        raise FixesFormatError(f"{where}: {exc}") from None
    result = []
    for n, doc in enumerate(docs):
        result.extend(diagnostics_from_document(doc, where if len(docs) == 1 else f"{where}#{n}"))
    return result


def merge(diagnostic_lists):
    """Concatenates per-TU lists, dropping repeats of the same finding; keeps first-seen order."""
    seen = set()
    merged = []
    for diags in diagnostic_lists:
        for diag in diags:
            k = diag.key()
            if k not in seen:
                seen.add(k)
                merged.append(diag)
    return merged


@dataclass(frozen=True)
class Position:
    line: int         # 1-based
    byte_column: int  # 1-based, in bytes: what clang prints
    utf16_column: int  # 1-based, in UTF-16 code units: SARIF's default columnKind
    line_text: str    # the line, decoded, without its line break


class SourceCache:
    """Reads each source file once and maps byte offsets to positions. A file that cannot be
    read (deleted, generated in a temporary directory) yields None positions instead of
    failing the whole conversion."""

    def __init__(self):
        self._files = {}

    def _load(self, path):
        if path not in self._files:
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                self._files[path] = None
            else:
                starts = [0]
                pos = data.find(b"\n")
                while pos != -1:
                    starts.append(pos + 1)
                    pos = data.find(b"\n", pos + 1)
                self._files[path] = (data, starts)
        return self._files[path]

    def position(self, path, offset):
        """Position of byte offset in path, or None (unreadable file, offset past the end).
        The offset equal to the file size (end of file) is valid: insertions happen there."""
        if not path:
            return None
        loaded = self._load(path)
        if loaded is None:
            return None
        data, starts = loaded
        if offset > len(data):
            return None
        lo, hi = 0, len(starts) - 1
        while lo < hi:  # last line start <= offset
            mid = (lo + hi + 1) // 2
            if starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        start = starts[lo]
        end = starts[lo + 1] - 1 if lo + 1 < len(starts) else len(data)
        prefix = data[start:offset].decode("utf-8", errors="replace")
        utf16 = sum(2 if ord(ch) > 0xFFFF else 1 for ch in prefix)
        text = data[start:end].decode("utf-8", errors="replace").rstrip("\r")
        return Position(line=lo + 1, byte_column=offset - start + 1, utf16_column=utf16 + 1,
                        line_text=text)

    def token_length(self, path, offset):
        """Byte length of the token at offset, for highlighting a diagnostic that has no
        range: an identifier or number, otherwise one character (0 at end of line/file)."""
        loaded = self._load(path) if path else None
        if loaded is None:
            return 0
        data = loaded[0]
        if offset >= len(data) or data[offset:offset + 1] in (b"\n", b"\r"):
            return 0
        end = offset
        # Bytes >= 0x80 belong to UTF-8 identifiers, which clang accepts.
        while end < len(data) and (data[end] >= 0x80 or chr(data[end]).isalnum() or
                                   data[end] == ord("_")):
            end += 1
        if end > offset:
            return end - offset
        # One character, which may be several UTF-8 bytes.
        end = offset + 1
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end += 1
        return end - offset
