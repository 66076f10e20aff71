"""`--fix` and `--diff`: certain fixes applied by byte range to the user's files.

A fix is applied only when the bytes it replaces are still what was read; overlapping
fixes in one file keep the first. Only the files fixed are written, each atomically.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from batch2flow.lint.files import locate
from batch2flow.lint.model import Edit, Finding


@dataclass(frozen=True)
class FixedFile:
    path: Path
    #: as shown in diagnostics
    display: str
    before: bytes
    after: bytes
    #: the findings whose edits went in
    fixed: tuple[Finding, ...]


def plan_fixes(findings: list[Finding], roots: list[str]) -> list[FixedFile]:
    by_file: dict[str, list[Finding]] = {}
    for found in findings:
        if found.edits:
            by_file.setdefault(found.diagnostic.file, []).append(found)
    planned = []
    for display, in_file in sorted(by_file.items()):
        path = locate(display, roots)
        if path is None:
            continue
        before = path.read_bytes()
        after, fixed = _apply(before, in_file)
        if fixed:
            planned.append(FixedFile(path, display, before, after, tuple(fixed)))
    return planned


def _apply(data: bytes, findings: list[Finding]) -> tuple[bytes, list[Finding]]:
    taken: list[Edit] = []
    fixed: list[Finding] = []
    for found in findings:
        edits = found.edits
        if all(_fits(data, e) and not _overlaps(e, taken) for e in edits):
            taken.extend(edits)
            fixed.append(found)
    for edit in sorted(taken, reverse=True):
        data = data[: edit.start] + edit.text.encode("utf-8") + data[edit.end :]
    return data, fixed


def _fits(data: bytes, edit: Edit) -> bool:
    return data[edit.start : edit.end] == edit.before.encode("utf-8")


def _overlaps(edit: Edit, taken: list[Edit]) -> bool:
    return any(edit.start < other.end and other.start < edit.end for other in taken)


def unified_diff(planned: list[FixedFile]) -> str:
    out: list[str] = []
    for item in planned:
        old = item.before.decode("utf-8", errors="replace").splitlines(keepends=True)
        new = item.after.decode("utf-8", errors="replace").splitlines(keepends=True)
        out.extend(difflib.unified_diff(old, new, f"a/{item.display}", f"b/{item.display}"))
    return "".join(out)


def write_fixes(planned: list[FixedFile]) -> None:
    for item in planned:
        temporary = item.path.with_name(f".{item.path.name}.batch2flow-fix")
        temporary.write_bytes(item.after)
        os.chmod(temporary, item.path.stat().st_mode)
        os.replace(temporary, item.path)
