"""Find the Ruby files under the paths the user gave and read them.

This and the writer are the only stages that touch the disk. Problems with single
files become diagnostics; the scan always goes on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from batch2flow import diagnostics as diag
from batch2flow.diagnostics import Diagnostic

#: folders a Rails tree keeps but which never hold the app's own workflows
SKIPPED_DIRS = frozenset({"vendor", "node_modules", "tmp", "log", ".git", ".bundle", "coverage"})
#: generated or vendored Ruby is rarely this large; parsing it would only cost time
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
_BINARY_SNIFF = 8192


@dataclass(frozen=True)
class SourceFile:
    #: path shown to the user: relative to the argument it was found under
    display: str
    text: str


@dataclass(frozen=True)
class ScanResult:
    files: tuple[SourceFile, ...]
    diagnostics: tuple[Diagnostic, ...]


def scan(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES,
         progress: Callable[[int, int], None] | None = None) -> ScanResult:
    """Read every Ruby file below `paths` (see `_is_ruby`), in a stable order, each real
    file once; `progress` hears (files read, files found) after each."""
    files: list[SourceFile] = []
    problems: list[Diagnostic] = []
    listed = _unique_ruby_files(paths)
    for number, (path, display) in enumerate(listed, start=1):
        source, problem = _read(path, display, max_bytes)
        if problem is not None:
            problems.append(problem)
        if source is not None:
            files.append(source)
        if progress is not None:
            progress(number, len(listed))
    return ScanResult(tuple(files), tuple(problems))


def _unique_ruby_files(paths: list[str]) -> list[tuple[Path, str]]:
    """What `scan` reads, in its order, each real file once: (path, path shown)."""
    found: list[tuple[Path, str]] = []
    seen: set[str] = set()
    folders: dict[str, str] = {}
    for root in paths:
        for path, display in _ruby_files(Path(root)):
            real = _realpath(path, folders)
            if real not in seen:
                seen.add(real)
                found.append((path, display))
    return found


def _realpath(path: Path, folders: dict[str, str]) -> str:
    """`os.path.realpath`, each folder resolved once: a file that is no symlink is its real
    folder's entry of its name (one lstat, where realpath takes one per folder above it)."""
    if os.path.islink(path):
        return os.path.realpath(path)
    folder = str(path.parent)
    if folder not in folders:
        folders[folder] = os.path.realpath(folder)
    return os.path.join(folders[folder], path.name)


def _ruby_files(root: Path) -> list[tuple[Path, str]]:
    if not root.is_dir():
        return [(root, str(root))]
    found: list[tuple[Path, str]] = []
    visited: set[str] = set()
    # followlinks so a symlinked app folder is read; `visited` stops symlink loops
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in visited:
            dirnames[:] = []
            continue
        visited.add(real)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if _is_ruby(path):
                found.append((path, path.relative_to(root).as_posix()))
    return found


def _is_ruby(path: Path) -> bool:
    """`.rb` and `.rake` files, `Rakefile`, and files without an extension that start with
    a Ruby shebang (`bin/`, `script/`): where apps build batches from a task or a script."""
    name = path.name
    if name.endswith((".rb", ".rake")) or name == "Rakefile":
        return True
    if "." in name:
        return False
    try:  # only a regular file is opened: a FIFO would block the read
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with path.open("rb") as file:
            first = file.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"ruby" in first


def _read(path: Path, display: str, max_bytes: int) -> tuple[SourceFile | None, Diagnostic | None]:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, diag.make(
                diag.TOO_LARGE, display, 1, 1,
                f"{size} bytes is over the {max_bytes}-byte limit; file skipped",
                help="raise the limit with --max-file-size if this file holds workflows",
            )
        data = path.read_bytes()
    except OSError as error:
        return None, diag.make(diag.UNREADABLE, display, 1, 1, f"cannot read file: {error.strerror}")
    if b"\0" in data[:_BINARY_SNIFF]:
        return None, diag.make(diag.BINARY, display, 1, 1, "file holds NUL bytes; skipped as binary")
    if not data.strip():
        return None, diag.make(diag.EMPTY, display, 1, 1, "file is empty")
    try:
        return SourceFile(display, data.decode("utf-8")), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        text = data.decode("utf-8", errors="replace")
        return SourceFile(display, text), diag.make(
            diag.NOT_UTF8, display, line, col,
            f"byte 0x{data[error.start]:02x} is not UTF-8; read with replacement characters",
        )
