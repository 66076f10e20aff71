"""Where a finding's file is on disk: its path is relative to the argument it was found under."""

from __future__ import annotations

import os
from pathlib import Path

from batch2flow import terminal


def locate(display: str, roots: list[str]) -> Path | None:
    for root in roots:
        base = Path(root)
        if base.is_file() and str(base) == display:
            return base
        if base.is_dir() and (base / display).is_file():
            return base / display
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
        text = found.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return terminal.source_line(text, line)
