# SPDX-License-Identifier: MIT
"""A re-implementation, for tests only, of how LLVM 14's YAML I/O writes a scalar
(llvm::yaml::needsQuotes + Output::scalarString + yaml::escape), so the reader can be tested
against every quoting style clang-tidy can produce, on generated strings."""

_INDICATORS = "-?:\\,[]{}#&*!|>'\"%@`"
_NULLS = {"~", "null", "Null", "NULL"}
_BOOLS = {"true", "True", "TRUE", "false", "False", "FALSE"}


def _is_numeric(s):
    # Close enough to llvm::yaml::isNumeric for quoting purposes: anything Python or YAML
    # would read as a number gets quoted (quoting more never changes the value read back).
    t = s.lstrip("+-")
    if not t:
        return False
    if t in (".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"):
        return True
    try:
        float(t)
        return True
    except ValueError:
        pass
    for prefix, base in (("0x", 16), ("0o", 8)):
        if t.startswith(prefix):
            try:
                int(t[2:], base)
                return True
            except ValueError:
                return False
    return False


def needs_quotes(s):
    """'none', 'single' or 'double', as LLVM 14 decides."""
    if not s:
        return "single"
    need = "none"
    if s[0] in " \t\n\r\v\f" or s[-1] in " \t\n\r\v\f":
        need = "single"
    if s in _NULLS or s in _BOOLS or _is_numeric(s):
        need = "single"
    if s[0] in _INDICATORS:
        need = "single"
    for ch in s.encode("utf-8"):
        c = chr(ch)
        if c.isascii() and c.isalnum():
            continue
        if c in "_-^., \t":
            continue
        if ch in (0x0A, 0x0D):
            return "double"  # LLVM 14 double-quotes line breaks (see clang-tidy's "\n}")
        if ch == 0x7F or ch <= 0x1F or ch & 0x80:
            return "double"
        need = "single"
    return need


def escape(s):
    """llvm::yaml::escape with EscapePrintable=false, for valid Unicode input."""
    out = []
    for ch in s:
        code = ord(ch)
        simple = {"\\": "\\\\", '"': '\\"', "\0": "\\0", "\a": "\\a", "\b": "\\b",
                  "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
                  "\x1b": "\\e", "\x85": "\\N", "\xa0": "\\_", "\u2028": "\\L",
                  "\u2029": "\\P"}
        if ch in simple:
            out.append(simple[ch])
        elif code < 0x20:
            out.append(f"\\x{code:02X}")
        elif code >= 0x80 and not ch.isprintable():
            if code <= 0xFF:
                out.append(f"\\x{code:02X}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04X}")
            else:
                out.append(f"\\U{code:08X}")
        else:
            out.append(ch)
    return "".join(out)


def scalar(s):
    kind = needs_quotes(s)
    if kind == "none":
        return s
    if kind == "single":
        return "'" + s.replace("'", "''") + "'"
    return '"' + escape(s) + '"'


def diagnostics_yaml(main_file, diags):
    """clang-tidy's --export-fixes document for a list of dicts with keys name, message,
    path, offset, level, build_dir, replacements [(path, off, len, text)], notes
    [dict(message, path, offset, replacements)], ranges [(path, off, len)]."""
    lines = ["---", f"MainSourceFile:  {scalar(main_file)}", "Diagnostics:"]

    def message_block(msg, indent):
        pad = " " * indent
        out = [f"{pad}Message:         {scalar(msg['message'])}",
               f"{pad}FilePath:        {scalar(msg.get('path', ''))}",
               f"{pad}FileOffset:      {msg.get('offset', 0)}"]
        reps = msg.get("replacements", [])
        if not reps:
            out.append(f"{pad}Replacements:    []")
        else:
            out.append(f"{pad}Replacements:")
            for path, off, length, text in reps:
                out += [f"{pad}  - FilePath:        {scalar(path)}",
                        f"{pad}    Offset:          {off}",
                        f"{pad}    Length:          {length}",
                        f"{pad}    ReplacementText: {scalar(text)}"]
        if msg.get("ranges"):
            out.append(f"{pad}Ranges:")
            for path, off, length in msg["ranges"]:
                out += [f"{pad}  - FilePath:        {scalar(path)}",
                        f"{pad}    FileOffset:      {off}",
                        f"{pad}    Length:          {length}"]
        return out

    if not diags:
        lines[-1] = "Diagnostics:     []"
    for d in diags:
        lines.append(f"  - DiagnosticName:  {scalar(d['name'])}")
        lines.append("    DiagnosticMessage:")
        lines += message_block(d, 6)
        if d.get("notes"):
            lines.append("    Notes:")
            for note in d["notes"]:
                block = message_block(note, 8)
                block[0] = "      - " + block[0].lstrip()
                lines += block
        lines.append(f"    Level:           {d.get('level', 'Warning')}")
        lines.append(f"    BuildDirectory:  {scalar(d.get('build_dir', ''))}")
    lines.append("...")
    return "\n".join(lines) + "\n"
