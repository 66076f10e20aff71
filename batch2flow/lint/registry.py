"""The rule registry: each module of `rules/` registers one rule with `@rule(...)`."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from batch2flow import diagnostics as diag
from batch2flow.lint.model import Finding, Rule

if TYPE_CHECKING:
    from batch2flow.lint.context import LintContext

Check = Callable[["LintContext"], Iterable[Finding]]
_RULES: dict[str, Rule] = {}


def rule(code: diag.Code, help: str, fixable: bool = False, reads_graph: bool = False
         ) -> Callable[[Check], Check]:
    """Register `check` as the rule for `code`; its module docstring is the rule's docs.
    `reads_graph`: it reads `ctx.graph` (directly or through graph_views / `ctx.diagnostics`);
    a rule that does not runs before the graph exists (check.py)."""

    def register(check: Check) -> Check:
        doc = sys.modules[check.__module__].__doc__ or ""
        _RULES[code.code] = Rule(code, doc.strip(), help, fixable, check, reads_graph)
        return check

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, by code, in code order; the rule modules are imported on first use."""
    from batch2flow.lint import rules

    for module in pkgutil.iter_modules(rules.__path__):
        importlib.import_module(f"{rules.__name__}.{module.name}")
    return dict(sorted(_RULES.items()))
