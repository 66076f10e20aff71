"""Find the Ruby files under the paths the user gave and read them.

This (with `scanner_tree`, which walks the folders, and `scanner_read`, which reads one
file) and the writer are the only stages that touch the disk. Problems with single files
become diagnostics; the scan always goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from batch2flow import diagnostics as diag
from batch2flow.diagnostics import Diagnostic
from batch2flow.scanner_names import printable
from batch2flow.scanner_read import DEFAULT_MAX_BYTES, NotRegular, read_regular
from batch2flow.scanner_tree import SKIPPED_DIRS, Candidate, roots_of, ruby_files

__all__ = ["DEFAULT_MAX_BYTES", "SKIPPED_DIRS", "ScanResult", "SourceFile", "scan"]

_BINARY_SNIFF = 8192


@dataclass(frozen=True)
class SourceFile:
    #: path shown to the user: relative to the argument it was found under, with what a
    #: terminal or JSON cannot hold escaped (see `scanner_names`)
    display: str
    text: str


@dataclass(frozen=True)
class ScanResult:
    files: tuple[SourceFile, ...]
    diagnostics: tuple[Diagnostic, ...]


def scan(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES,
         progress: Callable[[int, int], None] | None = None) -> ScanResult:
    """Read every Ruby file below `paths` (see `scanner_tree.is_ruby`), in a stable order,
    each real file once, never leaving `paths` (see `scanner_tree`); `progress` hears
    (files read, files found) after each."""
    files: list[SourceFile] = []
    problems: list[Diagnostic] = []
    listed: list[Candidate] = []
    seen: set[str] = set()
    roots = roots_of(paths)
    for root in paths:
        found, skipped = ruby_files(root, roots)
        problems += skipped
        for candidate in found:
            if candidate.real not in seen:
                seen.add(candidate.real)
                listed.append(candidate)
    for number, candidate in enumerate(listed, start=1):
        source, found_problems = _read(candidate, max_bytes)
        problems += found_problems
        if source is not None:
            files.append(source)
        if progress is not None:
            progress(number, len(listed))
    return ScanResult(tuple(files), tuple(problems))


def _read(candidate: Candidate, max_bytes: int) -> tuple[SourceFile | None, list[Diagnostic]]:
    display = printable(candidate.display)
    problems = []
    if display != candidate.display:
        problems.append(diag.make(
            diag.ESCAPED_NAME, display, 1, 1,
            "the file name is not UTF-8 or holds control characters; shown with `\\xNN`, `\\n` "
            "and `\\uNNNN` escapes (and `\\\\` for a backslash)"))
    source, problem = _decoded(candidate.path, display, max_bytes)
    if problem is not None:
        problems.append(problem)
    return source, problems


def _decoded(path: str, display: str, max_bytes: int) -> tuple[SourceFile | None, Diagnostic | None]:
    try:
        size, data = read_regular(path, max_bytes + 1)
    except NotRegular as kind:
        return None, diag.make(diag.NOT_REGULAR, display, 1, 1, f"{kind}, not a regular file; skipped unread")
    except OSError as error:
        return None, diag.make(diag.UNREADABLE, display, 1, 1, f"cannot read file: {error.strerror}")
    if len(data) > max_bytes:
        return None, diag.make(
            diag.TOO_LARGE, display, 1, 1,
            f"{size if size > max_bytes else f'more than {max_bytes}'} bytes is over the "
            f"{max_bytes}-byte limit; file skipped",
            help="raise the limit with --max-file-size if this file holds workflows",
        )
    if b"\0" in data[:_BINARY_SNIFF]:
        return None, diag.make(diag.BINARY, display, 1, 1, "file holds NUL bytes; skipped as binary")
    if not data.strip():
        return None, diag.make(diag.EMPTY, display, 1, 1, "file is empty")
    try:
        return SourceFile(display, data.decode("utf-8")), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        # a character column, as every other diagnostic's (the bytes before the bad one decode)
        col = len(data[data.rfind(b"\n", 0, error.start) + 1 : error.start].decode("utf-8")) + 1
        text = data.decode("utf-8", errors="replace")
        return SourceFile(display, text), diag.make(
            diag.NOT_UTF8, display, line, col,
            f"byte 0x{data[error.start]:02x} is not UTF-8; read with replacement characters",
        )
