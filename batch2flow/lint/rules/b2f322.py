"""`callback_queue` not set again when a batch is reopened.

What it does:
    In a tree that sets `callback_queue` on its batches, finds a batch reopened with
    `Sidekiq::Batch.new(bid)` and filled with `jobs` without setting `callback_queue`
    on it again.

Why is this bad:
    The reopened batch object does not carry the queue the code chose when it created
    the batch: callbacks registered or fired through it go to the default queue, behind
    (or ahead of) work they were meant to be kept apart from.

Example:
    ```ruby
    overall = Sidekiq::Batch.new(status.parent_bid)
    overall.jobs { NextStepWorker.perform_async(id) }
    ```
    Use instead:
    ```ruby
    overall = Sidekiq::Batch.new(status.parent_bid)
    overall.callback_queue = 'pipeline_callbacks'
    overall.jobs { NextStepWorker.perform_async(id) }
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import DEFS, calls_by_receiver, scope_batch_locals
from batch2flow.ruby import nodes
from batch2flow.ruby.nodes import Call

HELP = "set callback_queue on the reopened batch as on the batch it was created as"


@rule(diag.CALLBACK_QUEUE_LOST, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    if not any(_sets_queue(node) for _parsed, node in ctx.nodes(("assignment",))):
        return
    for parsed, scope in ctx.nodes(DEFS):
        for name, assignment in scope_batch_locals(ctx, scope).items():
            new = nodes.as_call(assignment.child_by_field_name("right") or assignment)
            if new is None or not new.args:
                continue
            calls = _methods_called(calls_by_receiver(ctx, scope).get(name, []))
            if "jobs" in calls and "callback_queue=" not in calls:
                yield finding(diag.CALLBACK_QUEUE_LOST, parsed, assignment,
                              f"`{name}` reopens a batch without setting its callback_queue again, "
                              "though this code base sets callback_queue on its batches")


def _sets_queue(assignment: Node) -> bool:
    left = assignment.child_by_field_name("left")
    call = nodes.as_call(left) if left is not None and left.type == "call" else None
    return call is not None and call.method == "callback_queue"


def _methods_called(on_it: list[Call]) -> set[str]:
    found = set()
    for call in on_it:
        parent = call.node.parent
        setter = parent is not None and parent.type == "assignment" \
            and parent.child_by_field_name("left") == call.node
        found.add(call.method + ("=" if setter else ""))
    return found
