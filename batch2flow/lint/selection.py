"""`--select`, `--ignore` and `--fail-on`: which findings are shown and which fail the run."""

from __future__ import annotations

from collections.abc import Iterable

from batch2flow.lint.config import SEVERITIES
from batch2flow.lint.model import Finding


def unknown_codes(patterns: Iterable[str], known: Iterable[str]) -> list[str]:
    """Patterns (a code or a prefix such as `B2F3`) that match no known code."""
    codes = list(known)
    return [p for p in patterns if not any(c.startswith(p) for c in codes)]


def selected(findings: list[Finding], select: tuple[str, ...], ignore: tuple[str, ...]) -> list[Finding]:
    """The findings whose code is selected (all when `select` is empty) and not ignored; the
    longer matching pattern wins, so `--select B2F3 --ignore B2F325` keeps B2F301."""
    return [f for f in findings if _wanted(f.diagnostic.code, select, ignore)]


def _wanted(code: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    chosen = max((len(p) for p in select if code.startswith(p)), default=0)
    if select and not chosen:
        return False
    dropped = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return dropped < chosen or dropped == -1


def fails(findings: list[Finding], fail_on: str) -> bool:
    floor = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(f.diagnostic.severity.value) >= floor for f in findings)
