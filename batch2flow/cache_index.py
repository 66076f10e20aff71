"""A second run finds its cached result without reading a file, as git's index does.

The cache's entries are keyed by every file's content (cache.py). Reading and hashing
every file of a large tree is most of what a cached run would cost, so each result also
gets an index entry keyed by what the folder walk sees: each Ruby file's path, size,
modification and change times and inode. An index entry holds the content key it was
made with; while no file's metadata changed, that key still holds. A file changed within
the last two seconds could change again within one timestamp's resolution (git's "racy"
case): then no index entry is written, and the next run reads the files.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from batch2flow import cache
from batch2flow.scanner_tree import roots_of, ruby_files

#: a file modified this recently may change again without its times changing
_RACY_NS = 2_000_000_000
_PREFIX = "index-"


class TreeStat:
    """What the folder walk sees of the tree now, as a cache key."""

    def __init__(self, head: list[str], paths: list[str]) -> None:
        self.taken_ns = time.time_ns()
        parts = [*head, "\0"]
        self.newest_ns = 0
        roots = roots_of(paths)
        for root in paths:
            found, skipped = ruby_files(root, roots)
            parts += [repr(problem) for problem in skipped]
            # one part per root, a record per file: a path holds no NUL and is never empty,
            # so fields split at one NUL and records at two read back one way only
            parts.append("\0\0".join(f"{one.path}\0{self._stat(one.path)}" for one in found))
        self.key = _PREFIX + cache.key(parts)

    def _stat(self, path: str) -> str:
        try:
            found = os.stat(path)
        except OSError as error:
            return f"unreadable {error.errno}"
        self.newest_ns = max(self.newest_ns, found.st_mtime_ns)
        return f"{found.st_size}\0{found.st_mtime_ns}\0{found.st_ctime_ns}\0{found.st_ino}\0{found.st_mode}"

    def content_key(self, folder: Path) -> str | None:
        """The content key this tree had when its index entry was written, if one was."""
        found = cache.load(folder, self.key)
        return found if isinstance(found, str) else None

    def remember(self, folder: Path, content_key: str) -> None:
        """Index `content_key` under this tree's metadata, unless a file is too fresh."""
        if self.newest_ns < self.taken_ns - _RACY_NS:
            cache.store(folder, self.key, content_key)
