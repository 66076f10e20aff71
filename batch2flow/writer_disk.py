"""The writer's own disk access: only plain files are read or replaced.

The output folder is the user's: it may hold a symbolic link (to a file elsewhere, to
`/dev/zero`, to nothing), a named pipe, a device or a folder where batch2flow would put a
file. Nothing here follows a link or opens anything but a plain file: a FIFO opened for
reading waits for a writer forever, a link written through changes a file outside the
folder. A file is written to a temporary file beside it and renamed over it (renaming
replaces the link itself, never what it points to). Temporary files are named
`.batch2flow-tmp-<pid>-<hex>`, so one left by a run that was killed is recognised and
removed by the next run, and nothing else ever is.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import time
from pathlib import Path, PurePosixPath

#: what no generated file comes near; a larger file there is not ours and is not read
MAX_READ_BYTES = 64 << 20
TEMP_PREFIX = ".batch2flow-tmp-"
_TEMP = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-[0-9a-f]{8}")
#: where a process' liveness cannot be asked (not POSIX), a temporary file this old is left over
_ABANDONED_SECONDS = 24 * 3600
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def safe_path(path: str) -> Path:
    """A relative path that stays inside the output folder (names come from Ruby code)."""
    parts = PurePosixPath(path).parts
    if not parts or PurePosixPath(path).is_absolute() or ".." in parts:
        raise ValueError(f"output path escapes the output folder: {path!r}")
    return Path(*parts)


def read_plain(path: Path) -> str | None:
    """The exact text of a plain file (line endings kept); None when there is none, it is
    not UTF-8, or it is a link, a FIFO, a device or a folder, which are never opened."""
    try:
        fd = os.open(path, os.O_RDONLY | _NO_FOLLOW)
    except OSError:  # absent, a link (ELOOP), unreadable
        return None
    with os.fdopen(fd, "rb") as handle:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode) or found.st_size > MAX_READ_BYTES:
            return None
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def in_the_way(out_dir: Path, relative: Path) -> tuple[str, str] | None:
    """What stands where `relative` would be written, as (status, what it is): `blocked`
    (a folder on the way is a link or no folder, or the path is a folder: never written
    through or replaced) or `special` (a link, FIFO, socket or device: its entry is
    replaced with --force, never written through). None for a plain file or nothing."""
    parents = list(reversed(relative.parents))[1:]  # without `.`: the output folder itself
    for parent in parents:
        kind = _kind(out_dir / parent)
        if kind is None:
            return None  # created on writing, with everything below it
        if kind != "folder":
            return "blocked", f"{parent.as_posix()} is {kind}, not a folder; nothing is written through it"
    kind = _kind(out_dir / relative)
    if kind == "folder":
        return "blocked", "a folder is there"
    if kind in (None, "plain"):
        return None
    return "special", f"{kind}, not a plain file"


def _kind(path: Path) -> str | None:
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:  # a file where a folder should be (ENOTDIR), no permission
        return f"unreadable ({error.strerror})"
    mode = found.st_mode
    if stat.S_ISLNK(mode):
        return f"a symbolic link to {_link_text(path)}"
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a plain file"


_KINDS = ((stat.S_ISREG, "plain"), (stat.S_ISDIR, "folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def _link_text(path: Path) -> str:
    try:
        return repr(os.readlink(path))
    except OSError:
        return "somewhere"


def write_atomic(target: Path, content: str) -> None:
    """Readers see the old file or the new one, never half of it (temp file, fsync, rename).
    Raises OSError (a full disk, a read-only folder) with no temporary file left behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}")
    # os.open with 0o666 lets the umask decide, as for any file the user creates
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            _write_all(fd, content.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        before = os.lstat(target) if target.exists() or target.is_symlink() else None
        if before is not None and stat.S_ISREG(before.st_mode):
            os.chmod(temp, stat.S_IMODE(before.st_mode))  # keep e.g. an executable bit
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def leftover_temp(path: Path) -> bool:
    """`path` is a temporary file of a batch2flow run that ended without renaming it: our
    exact name, a plain file, and its process gone."""
    match = _TEMP.fullmatch(path.name)
    if match is None:
        return False
    try:
        found = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(found.st_mode):
        return False
    if os.name != "posix":
        return time.time() - found.st_mtime > _ABANDONED_SECONDS
    return not _running(int(match.group(1)))


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or not a pid: not ours to judge
    return True


def remove_leftover(path: Path) -> None:
    """Remove one leftover temporary file, checked again right before."""
    if leftover_temp(path):
        path.unlink(missing_ok=True)
