"""Where a finding's file is on disk: its path is relative to the argument it was found under."""

from __future__ import annotations

import os
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
    # lines counted at `\n` only, as tree-sitter counts rows
    return terminal.source_line(data.decode("utf-8", errors="replace"), line)
