"""Workflow step with only a `:success` callback.

What it does:
    Finds a batch whose only callbacks are `:success` ones, one of which opens the next
    step of the workflow (creates or reopens a batch and adds jobs to it, or starts a
    workflow), when neither the batch nor one it belongs to has a `:complete` or
    `:death` callback.

Why is this bad:
    `:success` fires only when every job succeeded. One job that dies after its retries
    stops the workflow for good, silently: nothing runs, nothing reports it, and the
    parent batches never succeed either.

Example:
    ```ruby
    step1.on(:success, 'Pipeline#step1_done')
    ```
    Use instead: add what should happen when a job dies.
    ```ruby
    step1.on(:success, 'Pipeline#step1_done')
    step1.on(:death, 'Pipeline#alert')
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.ir import Workflow
from batch2flow.lint.context import LintContext
from batch2flow.lint.graph_views import at_span
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "register a :death (or :complete) callback too, on this batch or on the workflow's outer batch"


@rule(diag.SUCCESS_ONLY, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for workflow in ctx.graph.workflows:
        for batch in workflow.batches:
            events = {c.event for c in workflow.callbacks if c.batch == batch.id}
            goes_on = [c for c in workflow.callbacks if c.batch == batch.id and _continues(workflow, c.id)]
            if events == {"success"} and goes_on and not _watched(workflow, batch.id):
                yield at_span(diag.SUCCESS_ONLY, goes_on[0].span,
                              "the workflow goes on from this :success callback only: if a job of "
                              "the batch dies, it stops here for good, and nothing says so")


def _continues(workflow: Workflow, callback_id: str) -> bool:
    """The callback opens the next step: a batch (new or reopened) or another workflow. A
    callback that only enqueues a last job (a notification) ends the workflow instead."""
    return (any(j.spawned_by == callback_id and j.batch is not None for j in workflow.jobs)
            or any(b.created_by == callback_id for b in workflow.batches)
            or any(s.spawned_by == callback_id for s in workflow.starts))


def _watched(workflow: Workflow, batch_id: str | None) -> bool:
    """The batch or one it belongs to has a :complete or :death callback."""
    parents = {b.id: b.parent for b in workflow.batches}
    seen: set[str] = set()
    while batch_id is not None and batch_id not in seen:
        seen.add(batch_id)
        if any(c.batch == batch_id and c.event in ("complete", "death") for c in workflow.callbacks):
            return True
        batch_id = parents.get(batch_id)
    return False
