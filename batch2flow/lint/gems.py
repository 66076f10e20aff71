"""Which gems the app uses, from the Gemfile / Gemfile.lock in or above a scanned path.

Some rules depend on the batch library: the open-source `sidekiq-batch` gem never fires
`:death`, Sidekiq Pro does. Like the scanner, this reads the disk and reports nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

_GEMFILE = re.compile(r"""^\s*gem\s+['"]([A-Za-z0-9_.\-]+)['"]""", re.MULTILINE)
#: `    sidekiq-batch (0.2.0)` under `specs:`; dependencies sit deeper (six spaces)
_LOCK = re.compile(r"^ {4}([A-Za-z0-9_.\-]+) \(", re.MULTILINE)


def gems_of(paths: list[str]) -> frozenset[str]:
    found: set[str] = set()
    for path in paths:
        folder = _nearest_bundle(Path(path).resolve())
        if folder is not None:
            found |= _read(folder)
    return frozenset(found)


def _nearest_bundle(start: Path) -> Path | None:
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "Gemfile").is_file() or (candidate / "Gemfile.lock").is_file():
            return candidate
    return None


def _read(folder: Path) -> set[str]:
    names: set[str] = set()
    for name, pattern in (("Gemfile", _GEMFILE), ("Gemfile.lock", _LOCK)):
        try:
            text = (folder / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        names.update(m.group(1) for m in pattern.finditer(text))
    return names
