"""File names as the user is shown them: valid UTF-8 on one line, and still naming the file.

A name on disk is bytes. One that is not UTF-8 (Python holds its bad bytes as lone
surrogates) cannot be written into the JSON document or to a UTF-8 terminal, and a
newline or an escape sequence in a name would break the `path:line:col:` lines or the
terminal itself. Such characters are written as escapes: a byte that is not UTF-8 as
`\\xff`, a control character as `\\n`, `\\x1b` or `\\u202e`, and a backslash as `\\\\`, so
that no two names are ever shown alike.
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}
#: control, format (bidirectional overrides, zero-width) and line or paragraph separators
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp"})
#: where os.fsdecode puts a byte that is not UTF-8 (surrogateescape)
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


def printable(name: str) -> str:
    """`name` with every character a terminal or a JSON reader would trip on escaped."""
    if name.isprintable() and "\\" not in name:
        return name
    return "".join(_escaped(ch) for ch in name)


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    if ch in _NAMED:
        return _NAMED[ch]
    if unicodedata.category(ch) not in _HIDDEN and code not in range(0xD800, 0xE000):
        return ch
    # \x only for C0 characters, so that no control character reads as an escaped byte
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"
