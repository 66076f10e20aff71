"""Text for a terminal: Ruby source and file names shown as text, never acted upon.

A Ruby string, comment or file name may hold an escape sequence: `ESC [ 2 J` clears the
screen, `OSC 8` hides a link behind other text, `OSC 52` writes the clipboard, `\\r` moves
the cursor back over what was printed, and a bidi override reorders what a reviewer reads.
Every such character is shown as a visible escape (`\\x1b`, `\\r`, `\\u202e`) instead.

Lines are counted as tree-sitter counts rows, at `\\n` only (`str.splitlines()` also breaks
at a form feed, `\\x1c`-`\\x1e`, `\\x85`, U+2028 and U+2029), so the line shown under a
diagnostic is the line it names, and the caret sits under its column.
"""

from __future__ import annotations

import re
import unicodedata

#: C0 controls but the tab, DEL and C1 controls, line and paragraph separators, and the
#: bidi controls of the "Trojan Source" attacks (CVE-2021-42574)
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\x0b": "\\v", "\x0c": "\\f"}
#: how far before the caret a shown line starts
INDENT = "    "


def unsafe(char: str) -> bool:
    """A character a terminal (or a log viewer) could act upon instead of showing."""
    return _UNSAFE.fullmatch(char) is not None


def visible(text: str, keep: str = "") -> str:
    """`text` with each unsafe character (but those in `keep`) written as an escape."""
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def source_line(text: str, line: int) -> str | None:
    """Line `line` (1-based, a tree-sitter row + 1) of `text`, without its line end."""
    lines = text.split("\n")
    return lines[line - 1].removesuffix("\r") if 0 < line <= len(lines) else None


def quoted_line(source: str, col: int) -> list[str]:
    """The source line as shown under a diagnostic, and a caret under character column
    `col` (1-based) that stays there whatever comes before it: a tab, a wide character,
    an escape shown in several characters."""
    shown = visible(source.rstrip())
    before = visible(source[: max(col - 1, 0)])
    return [INDENT + shown, INDENT + "".join(_cell(char) for char in before) + "^"]


def _cell(char: str) -> str:
    """What takes a character's place on the caret line: as wide as it is on screen."""
    if char == "\t":
        return "\t"  # the terminal moves both lines to the same tab stop
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return ""
    return "  " if unicodedata.east_asian_width(char) in ("W", "F") else " "


def nothing_found(paths: list[str] | tuple[str, ...], files_read: int) -> str:
    """What a run says when there was nothing to work on, on stderr."""
    where = ", ".join(visible(path) for path in paths)
    if files_read == 0:
        return f"no Ruby files found under {where}"
    files = "1 Ruby file" if files_read == 1 else f"{files_read} Ruby files"
    return f"no Sidekiq batch workflows found under {where} ({files} read)"


def json_text(document: object) -> str:
    """`document` as indented JSON, unicode kept readable but every character a terminal
    could act upon (a bidi override, a C1 control) written as a `\\uXXXX` escape: the
    same JSON value, safe to print. Raw line breaks outside strings are the indentation."""
    import json

    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: m.group() if m.group() == "\n" else f"\\u{ord(m.group()):04x}", text) + "\n"
