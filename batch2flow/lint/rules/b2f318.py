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
from batch2flow.batch_tree import union_along
from batch2flow.ir import Callback, Workflow
from batch2flow.lint.context import LintContext
from batch2flow.lint.graph_views import at_span
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "register a :death (or :complete) callback too, on this batch or on the workflow's outer batch"


@rule(diag.SUCCESS_ONLY, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    for workflow in ctx.graph.workflows:
        # each batch's callbacks, and the callbacks that open a next step, found in one
        # pass: a chain of N steps has N batches and N callbacks
        on_batch: dict[str, list[Callback]] = {}
        for callback in workflow.callbacks:
            on_batch.setdefault(callback.batch, []).append(callback)
        continuing = _continuing(workflow)
        watched = _watched(workflow, on_batch)
        for batch in workflow.batches:
            events = {c.event for c in on_batch.get(batch.id, [])}
            goes_on = [c for c in on_batch.get(batch.id, []) if c.id in continuing]
            if events == {"success"} and goes_on and batch.id not in watched:
                yield at_span(diag.SUCCESS_ONLY, goes_on[0].span,
                              "the workflow goes on from this :success callback only: if a job of "
                              "the batch dies, it stops here for good, and nothing says so")


def _continuing(workflow: Workflow) -> set[str | None]:
    """The callbacks that open the next step: a batch (new or reopened) or another workflow.
    A callback that only enqueues a last job (a notification) ends the workflow instead."""
    return ({j.spawned_by for j in workflow.jobs if j.batch is not None}
            | {b.created_by for b in workflow.batches} | {s.spawned_by for s in workflow.starts})


def _watched(workflow: Workflow, on_batch: dict[str, list[Callback]]) -> set[str]:
    """The batches that, or one they belong to, have a :complete or :death callback."""
    parents = {b.id: b.parent for b in workflow.batches}
    watching = {batch for batch, callbacks in on_batch.items()
                if any(c.event in ("complete", "death") for c in callbacks)}
    above = union_along(parents, parents, lambda b: frozenset({b}) & watching)
    return {batch_id for batch_id, found in above.items() if found}
