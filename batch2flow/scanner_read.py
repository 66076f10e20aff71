"""Reading one file the scanner found: only a regular file, and never more than asked.

A FIFO named `x.rb` would block the open until a writer comes; `/dev/zero` reports a size
of 0 and never ends. So the kind is checked before the file is opened (and again on what
was opened), the open never waits, and the read stops at its limit whatever the size says.
"""

from __future__ import annotations

import os
import stat

#: generated or vendored Ruby is rarely this large; parsing it would only cost time
DEFAULT_MAX_BYTES = 2 * 1024 * 1024


class NotRegular(Exception):
    """What `read_regular` refuses to open or read: what the path is instead."""


#: opening a FIFO without O_NONBLOCK waits for a writer; a terminal must not become ours
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def read_regular(path: str, limit: int) -> tuple[int, bytes]:
    """The size `path` reports and at most `limit` of its bytes, when it is a regular file.

    Never trusts the size alone (a device reports 0 and never ends): the read itself stops
    at `limit`. The kind is checked before the file is opened, and again on what was opened,
    in case the path was swapped in between."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegular(_kind_of(mode))
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(_kind_of(info.st_mode))
        return info.st_size, _read_up_to(descriptor, limit, info.st_size)
    finally:
        os.close(descriptor)


def _read_up_to(descriptor: int, limit: int, size: int) -> bytes:
    """At most `limit` bytes, to the end of the file: a regular file gives its `size` in one
    read, unless it grew meanwhile (the next read sees the rest)."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(descriptor, min(left, max(size + 1, 1 << 16)))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")
