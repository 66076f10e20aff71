"""What a rule finds: a diagnostic, and the edits that fix it when the fix is certain."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from batch2flow import diagnostics as diag
from batch2flow.diagnostics import Diagnostic

if TYPE_CHECKING:
    from batch2flow.lint.context import LintContext


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the bytes `start:end` of a file (UTF-8, as parsed) with `text`."""

    #: the file as shown in diagnostics (relative to the scanned argument)
    file: str
    start: int
    end: int
    #: what the bytes must be now; a file that changed since it was read is not touched
    before: str
    text: str


@dataclass(frozen=True, order=True)
class Finding:
    diagnostic: Diagnostic
    #: empty when no fix is certain
    edits: tuple[Edit, ...] = ()

    @property
    def fixable(self) -> bool:
        return bool(self.edits)


@dataclass(frozen=True)
class Rule:
    code: diag.Code
    #: the rule module's docstring: What it does / Why is this bad / Example
    doc: str
    #: the `help:` line printed under each finding that brings none of its own
    help: str
    #: True when some of its findings carry a certain fix
    fixable: bool
    check: Callable[[LintContext], Iterable[Finding]]
    #: True when it reads the analysis' graph; the others can run while the graph is built
    reads_graph: bool = False
