# SPDX-License-Identifier: MIT
"""A reader for the YAML that `clang-tidy --export-fixes` writes.

Python has no YAML parser in its standard library, and CI must not need PyPI, so this reads the
subset that LLVM's YAML I/O emits for clang::tooling::TranslationUnitDiagnostics:

  * documents separated by `---` / ended by `...` (a merged file may hold several);
  * block mappings and block sequences, including the compact `- Key: value` form;
  * plain, 'single-quoted' and "double-quoted" scalars, including the multi-line folded forms
    and every escape of YAML 1.2 section 5.7 (LLVM double-quotes any string with control
    characters or non-ASCII bytes, e.g. "\\n}" in a fix-it, and single-quotes strings with
    quotes, colons and other indicators, doubling embedded quotes);
  * flow collections (`[]`, `{}` and simple `[a, 'b', {k: v}]`) and `#` comments.

Anchors, aliases, tags and block scalars (`|`, `>`) are not produced by clang-tidy; they raise
YamlError rather than being misread. Every scalar is returned as a str (or None for an empty
value): the caller knows which fields are numbers and converts them, so no YAML 1.1 typing
surprises (`no` -> False, `010` -> 8) can change a message.
"""

__all__ = ["YamlError", "load", "load_all"]

_FLOW_INDICATORS = ",[]{}"
# Characters a plain scalar must not start with (YAML 1.2, production 22), minus the ones
# that may start one when followed by a non-space ('-', '?', ':').
_RESERVED_START = "&*!|>%@`"
_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
    "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


class YamlError(ValueError):
    """Malformed or unsupported input; the message names the 1-based line and column."""

    def __init__(self, message, line=None, column=None):
        where = ""
        if line is not None:
            where = f"line {line + 1}" + (f", column {column + 1}" if column is not None else "")
            where += ": "
        super().__init__(where + message)
        self.line = line
        self.column = column


def load_all(text):
    """Parses every document in text; returns a list (empty for an empty stream)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _Parser(text.split("\n")).documents()


def load(text):
    """Parses a stream holding at most one document (None when empty)."""
    docs = load_all(text)
    if len(docs) > 1:
        raise YamlError(f"expected one document, found {len(docs)}")
    return docs[0] if docs else None


def _indent_of(line):
    return len(line) - len(line.lstrip(" "))


def _is_blank_or_comment(line):
    stripped = line.strip(" \t")
    return not stripped or stripped.startswith("#")


class _Parser:
    def __init__(self, lines):
        self.lines = lines

    # -- document level ------------------------------------------------------------------

    def documents(self):
        docs = []
        row = 0
        n = len(self.lines)
        while row < n:
            row = self._skip_blank(row)
            if row >= n:
                break
            line = self.lines[row]
            if line.startswith("%"):  # %YAML / %TAG directives: nothing to keep
                row += 1
                continue
            explicit = False
            if line == "---" or line.startswith("--- ") or line.startswith("---\t"):
                explicit = True
                rest = line[3:].strip()
                if rest and not rest.startswith("#"):
                    raise YamlError("content on the '---' line is not supported", row, 4)
                row += 1
            elif line == "..." or line.startswith("... "):
                row += 1
                continue
            end = row
            while end < n and not self._is_doc_marker(self.lines[end]):
                end += 1
            body_row = self._skip_blank(row, end)
            if body_row < end:
                value, nxt = self._block_node(body_row, -1, end)
                nxt = self._skip_blank(nxt, end)
                if nxt < end:
                    raise YamlError("unexpected content after the document's root node",
                                    nxt, _indent_of(self.lines[nxt]))
                docs.append(value)
            elif explicit:
                docs.append(None)
            row = end
            if row < n and self.lines[row].startswith("..."):
                row += 1
        return docs

    @staticmethod
    def _is_doc_marker(line):
        for marker in ("---", "..."):
            if line == marker or line.startswith(marker + " ") or line.startswith(marker + "\t"):
                return True
        return False

    def _skip_blank(self, row, end=None):
        end = len(self.lines) if end is None else end
        while row < end and _is_blank_or_comment(self.lines[row]):
            row += 1
        return row

    # -- block structure -----------------------------------------------------------------

    def _block_node(self, row, parent_indent, end):
        """Parses the node starting on line `row` (already known non-blank), indented more
        than parent_indent. Returns (value, next unconsumed row)."""
        line = self.lines[row]
        col = _indent_of(line)
        if col <= parent_indent:
            return None, row
        return self._node_at(row, col, parent_indent, end)

    def _node_at(self, row, col, parent_indent, end):
        """Parses a node whose first character is at (row, col); the node's own indentation
        is col. Handles the compact forms after '- '."""
        text = self.lines[row]
        if text[col] == "\t":
            raise YamlError("tab in indentation", row, col)
        if self._is_seq_entry(text, col):
            return self._block_sequence(row, col, end)
        if self._find_mapping_colon(row, col) is not None:
            return self._block_mapping(row, col, end)
        return self._inline_value(row, col, parent_indent, end)

    @staticmethod
    def _is_seq_entry(text, col):
        return text.startswith("-", col) and (len(text) == col + 1 or text[col + 1] in " \t")

    def _block_sequence(self, row, indent, end):
        items = []
        while row < end:
            text = self.lines[row]
            if _indent_of(text) != indent or not self._is_seq_entry(text, indent):
                break
            col = indent + 1
            while col < len(text) and text[col] == " ":
                col += 1
            if col >= len(text) or text[col] == "#":
                nxt = self._skip_blank(row + 1, end)
                if nxt < end and _indent_of(self.lines[nxt]) > indent:
                    value, row = self._block_node(nxt, indent, end)
                else:
                    value, row = None, row + 1
            else:
                value, row = self._node_at(row, col, indent, end)
            items.append(value)
            row = self._skip_blank(row, end)
        if row < end and _indent_of(self.lines[row]) > indent:
            raise YamlError("bad indentation in a sequence", row, _indent_of(self.lines[row]))
        return items, row

    def _block_mapping(self, row, indent, end):
        mapping = {}
        first = True
        while row < end:
            text = self.lines[row]
            col = indent if first else _indent_of(text)
            if not first and col != indent:
                break
            first = False
            colon = self._find_mapping_colon(row, col)
            if colon is None:
                raise YamlError("expected 'key: value'", row, col)
            key_end, value_col = colon
            key = self._key_text(row, col, key_end)
            if key in mapping:
                raise YamlError(f"duplicate key {key!r}", row, col)
            rest = text[value_col:].strip(" \t")
            if not rest or rest.startswith("#"):
                nxt = self._skip_blank(row + 1, end)
                value = None
                row += 1
                if nxt < end:
                    child = _indent_of(self.lines[nxt])
                    # A block sequence may sit at the key's own indentation ("key:\n- a").
                    if child > indent or (child == indent and
                                          self._is_seq_entry(self.lines[nxt], child)):
                        value, row = self._node_at(nxt, child, indent - 1 if child == indent
                                                   else indent, end)
            else:
                start = value_col + (len(text[value_col:]) - len(text[value_col:].lstrip(" \t")))
                value, row = self._inline_value(row, start, indent, end)
            mapping[key] = value
            row = self._skip_blank(row, end)
        if row < end and _indent_of(self.lines[row]) > indent:
            raise YamlError("bad indentation in a mapping", row, _indent_of(self.lines[row]))
        return mapping, row

    def _find_mapping_colon(self, row, col):
        """If the text at (row, col) is a mapping key, returns (end of key, column after
        the ':'); otherwise None. Quoted keys may contain ':'."""
        text = self.lines[row]
        if col >= len(text):
            return None
        ch = text[col]
        if ch in "'\"":
            try:
                _, (r, c) = self._quoted(row, col)
            except YamlError:
                return None
            if r != row:
                return None  # multi-line keys are not valid YAML
            while c < len(text) and text[c] == " ":
                c += 1
            if c < len(text) and text[c] == ":" and (c + 1 == len(text) or text[c + 1] in " \t"):
                return c, c + 1
            return None
        if ch in "[{#" or (ch in _RESERVED_START):
            return None
        i = col
        while i < len(text):
            if text[i] == "#" and i > col and text[i - 1] in " \t":
                return None
            if text[i] == ":" and (i + 1 == len(text) or text[i + 1] in " \t"):
                return i, i + 1
            i += 1
        return None

    def _key_text(self, row, col, key_end):
        text = self.lines[row]
        if text[col] in "'\"":
            value, _ = self._quoted(row, col)
            return value
        return text[col:key_end].rstrip(" \t")

    # -- scalars and flow collections ---------------------------------------------------------

    def _inline_value(self, row, col, parent_indent, end):
        """A value that starts on this line: quoted, flow or plain. Returns (value, next row)."""
        text = self.lines[row]
        ch = text[col]
        if ch in "'\"":
            value, (r, c) = self._quoted(row, col)
            self._expect_line_end(r, c)
            return value, r + 1
        if ch in "[{":
            value, (r, c) = self._flow(row, col)
            self._expect_line_end(r, c)
            return value, r + 1
        if ch in _RESERVED_START:
            raise YamlError(f"unsupported YAML construct starting with {ch!r} "
                            "(anchors, aliases, tags and block scalars are not emitted by "
                            "clang-tidy)", row, col)
        return self._plain_block(row, col, parent_indent, end)

    def _expect_line_end(self, row, col):
        rest = self.lines[row][col:]
        stripped = rest.lstrip(" \t")
        # A comment must be separated from the value by a blank.
        if stripped and not (stripped.startswith("#") and len(rest) > len(stripped)):
            raise YamlError("unexpected text after a value", row, col + len(rest) - len(stripped))

    def _plain_block(self, row, col, parent_indent, end):
        """A plain scalar in block context; continuation lines (indented more than the
        parent) are folded into it as YAML requires."""
        parts = [self._plain_line(self.lines[row][col:])]
        row += 1
        breaks = 0
        while row < end:
            text = self.lines[row]
            if not text.strip(" \t"):
                breaks += 1
                row += 1
                continue
            ind = _indent_of(text)
            if ind <= parent_indent or text.lstrip(" ").startswith("#"):
                break
            if self._find_mapping_colon(row, ind) is not None or self._is_seq_entry(text, ind):
                raise YamlError("a mapping or sequence cannot continue a plain scalar", row, ind)
            parts.append("\n" * breaks if breaks else " ")
            parts.append(self._plain_line(text[ind:]))
            breaks = 0
            row += 1
        value = "".join(parts)
        return (value if value != "" else None), row

    @staticmethod
    def _plain_line(fragment):
        cut = len(fragment)
        for i, ch in enumerate(fragment):
            if ch == "#" and (i == 0 or fragment[i - 1] in " \t"):
                cut = i
                break
        return fragment[:cut].rstrip(" \t")

    def _quoted(self, row, col):
        """Parses a quoted scalar starting at (row, col); returns (value, (row, col after))."""
        quote = self.lines[row][col]
        double = quote == '"'
        out = []
        r, c = row, col + 1
        line_start = len(out)  # index in out where the current line's content starts
        while True:
            if r >= len(self.lines):
                raise YamlError("unterminated quoted scalar", row, col)
            text = self.lines[r]
            if c >= len(text):
                # Line folding: drop trailing unescaped blanks, then a single break becomes a
                # space and each further (empty) line a newline.
                while len(out) > line_start and out[-1] in (" ", "\t"):
                    out.pop()
                r += 1
                empty = 0
                while r < len(self.lines) and not self.lines[r].strip(" \t"):
                    empty += 1
                    r += 1
                if r >= len(self.lines):
                    raise YamlError("unterminated quoted scalar", row, col)
                if self._is_doc_marker(self.lines[r]):
                    raise YamlError("document marker inside a quoted scalar", r, 0)
                out.append("\n" * empty if empty else " ")
                text = self.lines[r]
                c = len(text) - len(text.lstrip(" \t"))
                line_start = len(out)
                continue
            ch = text[c]
            if not double:
                if ch == "'":
                    if c + 1 < len(text) and text[c + 1] == "'":
                        out.append("'")
                        c += 2
                        continue
                    return "".join(out), (r, c + 1)
                out.append(ch)
                c += 1
                continue
            if ch == '"':
                return "".join(out), (r, c + 1)
            if ch != "\\":
                out.append(ch)
                c += 1
                continue
            # Escape sequence.
            if c + 1 >= len(text):
                # Escaped line break: join with the next line, dropping its indentation.
                r += 1
                while r < len(self.lines) and not self.lines[r].strip(" \t"):
                    out.append("\n")
                    r += 1
                if r >= len(self.lines):
                    raise YamlError("unterminated quoted scalar", row, col)
                text = self.lines[r]
                c = len(text) - len(text.lstrip(" \t"))
                line_start = len(out)
                continue
            esc = text[c + 1]
            if esc in _SIMPLE_ESCAPES:
                out.append(_SIMPLE_ESCAPES[esc])
                c += 2
                line_start = len(out)  # escaped blanks survive folding
                continue
            if esc in _HEX_ESCAPES:
                width = _HEX_ESCAPES[esc]
                digits = text[c + 2:c + 2 + width]
                if len(digits) != width or any(d not in "0123456789abcdefABCDEF" for d in digits):
                    raise YamlError(f"bad \\{esc} escape", r, c)
                code = int(digits, 16)
                if code > 0x10FFFF:
                    raise YamlError(f"escape \\{esc}{digits} is outside Unicode", r, c)
                out.append(chr(code))
                c += 2 + width
                line_start = len(out)
                continue
            raise YamlError(f"unknown escape \\{esc}", r, c)

    def _flow(self, row, col):
        """Parses a flow collection; may span lines. Returns (value, (row, col after))."""
        pos = [row, col]

        def peek():
            self._flow_skip(pos)
            r, c = pos
            if r >= len(self.lines):
                raise YamlError("unterminated flow collection", row, col)
            return self.lines[r][c]

        def node():
            ch = peek()
            if ch in "[{":
                return collection()
            if ch in "'\"":
                value, (r, c) = self._quoted(pos[0], pos[1])
                pos[0], pos[1] = r, c
                return value
            if ch in _RESERVED_START:
                raise YamlError(f"unsupported flow content {ch!r}", pos[0], pos[1])
            text = self.lines[pos[0]]
            c = pos[1]
            start = c
            while c < len(text) and text[c] not in _FLOW_INDICATORS:
                if text[c] == ":" and (c + 1 == len(text) or text[c + 1] in " \t,]}"):
                    break
                if text[c] == "#" and c > start and text[c - 1] in " \t":
                    break
                c += 1
            pos[1] = c
            value = text[start:c].strip(" \t")
            return value if value else None

        def collection():
            opener = peek()
            closer = "]" if opener == "[" else "}"
            pos[1] += 1
            result = [] if opener == "[" else {}
            while True:
                ch = peek()
                if ch == closer:
                    pos[1] += 1
                    return result
                key = node()
                ch = peek()
                if ch == ":":
                    pos[1] += 1
                    value = node() if peek() not in ",]}" else None
                    if opener == "[":
                        result.append({key: value})
                    else:
                        result[key] = value
                elif opener == "{":
                    result[key] = None
                else:
                    result.append(key)
                ch = peek()
                if ch == ",":
                    pos[1] += 1
                elif ch != closer:
                    raise YamlError(f"expected ',' or '{closer}' in a flow collection",
                                    pos[0], pos[1])

        value = collection()
        return value, (pos[0], pos[1])

    def _flow_skip(self, pos):
        """Moves pos past blanks, comments and line breaks inside a flow collection."""
        while pos[0] < len(self.lines):
            text = self.lines[pos[0]]
            while pos[1] < len(text) and text[pos[1]] in " \t":
                pos[1] += 1
            if pos[1] < len(text) and text[pos[1]] != "#":
                return
            pos[0] += 1
            pos[1] = 0
