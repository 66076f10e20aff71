"""Workflow too large to follow.

What it does:
    Reports a workflow that grew past 5000 nodes while batch2flow read it, or whose
    methods and jobs call one another more than 32 deep; the rest of it was not followed.

Why is this bad:
    Almost always a sign of code the analysis cannot bound (a recursion through helper
    methods); the graph, the lint findings and the flows of that workflow are partial.

Example:
    A helper that enqueues, and calls itself for each child record, without a base case
    the reader can see.
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "split the workflow, or lint the folders of one workflow at a time"


@rule(diag.WORKFLOW_TOO_LARGE, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from (Finding(d) for d in ctx.diagnostics(diag.WORKFLOW_TOO_LARGE))
