"""Where a finding's file is on disk: its path is relative to the argument it was found under."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from batch2flow import terminal
from batch2flow.scanner_tree import inside, roots_of

#: a caret's line is read from a file only this large (eight times the scanner's default
#: limit): a link out of the tree to a log of gigabytes is not read to show a caret
_MOST_READ = 16 * 1024 * 1024


def locate(display: str, roots: list[str]) -> Path | None:
    """The regular file `display` names, never one a link leads to out of `roots` (the
    scanner did not read it, and its text is no business of the report)."""
    for root in roots:
        base = Path(root)
        if base.is_file() and str(base) == display:
            return base
        candidate = base / display
        if base.is_dir() and candidate.is_file() and inside(os.path.realpath(candidate), roots_of(roots)):
            return candidate
    return None


def shown(display: str, roots: list[str]) -> str:
    """The path from the current folder (what annotations and SARIF need), POSIX style."""
    found = locate(display, roots)
    if found is None:
        return display
    return Path(os.path.relpath(found)).as_posix()


def source_line(display: str, line: int, roots: list[str]) -> str | None:
    """The line a diagnostic points at, for the caret; None when it cannot be read."""
    text = _text(display, roots)
    # lines counted at `\n` only, as tree-sitter counts rows
    return terminal.source_line(text, line) if text is not None else None


def source_lines(roots: list[str]) -> Callable[[str, int], str | None]:
    """`source_line` for many diagnostics: each file is read once (a tree may have
    hundreds of findings in one file)."""
    texts: dict[str, str | None] = {}

    def line_of(display: str, line: int) -> str | None:
        if display not in texts:
            texts[display] = _text(display, roots)
        text = texts[display]
        return terminal.source_line(text, line) if text is not None else None

    return line_of


def _text(display: str, roots: list[str]) -> str | None:
    found = locate(display, roots)
    if found is None:
        return None
    try:
        with found.open("rb") as handle:  # `locate` found a regular file: it ends, and never blocks
            data = handle.read(_MOST_READ + 1)
    except OSError:
        return None
    if len(data) > _MOST_READ:  # too large to have been read: its diagnostic needs no caret
        return None
    return data.decode("utf-8", errors="replace")
