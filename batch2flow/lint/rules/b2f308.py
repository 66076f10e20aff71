"""Batch whose `jobs` is never called.

What it does:
    Finds a local variable assigned a new `Sidekiq::Batch.new` (no bid: not a reopened
    batch) on which the method never calls `jobs`, and which it does not hand on
    (return, pass as an argument, store elsewhere).

Why is this bad:
    A batch is only created in Redis by `jobs`: without it, its callbacks are never
    registered, so they never fire, and the workflow that should go on from them stops
    without an error.

Example:
    ```ruby
    batch = Sidekiq::Batch.new
    batch.on(:success, ExportCallback)
    ExportWorker.perform_async(id)            # pushed outside any batch
    ```
    Use instead:
    ```ruby
    batch = Sidekiq::Batch.new
    batch.on(:success, ExportCallback)
    batch.jobs { ExportWorker.perform_async(id) }
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import DEFS, identifiers, scope_batch_locals
from batch2flow.ruby import nodes

HELP = "push the batch's jobs inside `batch.jobs do ... end`; that is what creates the batch"


@rule(diag.JOBS_NEVER_CALLED, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, scope in ctx.nodes(DEFS):
        for name, assignment in scope_batch_locals(ctx, scope).items():
            new = nodes.as_call(assignment.child_by_field_name("right") or assignment)
            if name.startswith("@") or new is None or new.args:
                continue  # instance variables are shared with other methods; a bid reopens
            if not _filled_or_handed_on(identifiers(ctx, scope).get(name, []), assignment):
                yield finding(diag.JOBS_NEVER_CALLED, parsed, assignment,
                              f"`{name}.jobs` is never called: the batch is never created, "
                              "so its callbacks never fire")


def _filled_or_handed_on(named: list[Node], assignment: Node) -> bool:
    """Whether an identifier of the batch's name (but its own assignment's) fills the batch
    (`jobs`) or hands it on (anything but a call on it)."""
    left = assignment.child_by_field_name("left")
    for node in named:
        if node == left:
            continue
        call = nodes.as_call(node.parent) if node.parent is not None else None
        if call is None or call.receiver != node:
            return True  # returned, passed on or stored: another method may fill it
        if call.method == "jobs":
            return True
    return False
