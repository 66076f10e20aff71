"""Views of the graph that several rules share: the callbacks and jobs of every workflow."""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.ir import Callback, Job, Span
from batch2flow.lint.context import LintContext
from batch2flow.lint.model import Finding
from batch2flow.ruby.index import MethodDef


def callbacks(ctx: LintContext) -> Iterator[Callback]:
    for workflow in ctx.graph.workflows:
        yield from (c for c in workflow.callbacks if not c.placeholder)


def jobs(ctx: LintContext) -> Iterator[Job]:
    for workflow in ctx.graph.workflows:
        yield from (j for j in workflow.jobs if not j.placeholder)


def own_method(ctx: LintContext, klass: str, name: str) -> MethodDef | None:
    """`klass`'s instance method `name` from the class or what it inherits; not the top-level
    methods every object has."""
    found = ctx.index.find_method(klass, name, False)
    if found is None or found.owner not in ctx.index.ancestors(klass):
        return None
    return found


def at_span(code: diag.Code, span: Span, message: str, help: str = "") -> Finding:
    return Finding(diag.make(code, span.file, span.line, span.col, message, help))
