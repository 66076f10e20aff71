"""Job meant for a batch, enqueued outside its `jobs` block.

What it does:
    In a method that creates a batch and fills it with `batch.jobs do ... end`, finds
    enqueues written outside that block which look meant for it: between
    `Sidekiq::Batch.new` and `jobs` (while the batch is being set up), or of a worker the
    block enqueues too. (B2F105 reports the other sign: a job whose `perform` uses
    `batch`, enqueued in no batch.)

Why is this bad:
    Only jobs pushed inside the block belong to the batch: the others run at once, in no
    batch, and the batch's callbacks neither wait for them nor see them fail.

Example:
    ```ruby
    batch = Sidekiq::Batch.new
    batch.on(:success, ReportCallback)
    HeaderWorker.perform_async(id)            # not in the batch
    batch.jobs { RowsWorker.perform_async(id) }
    ```
    Use instead:
    ```ruby
    batch.jobs do
      HeaderWorker.perform_async(id)
      RowsWorker.perform_async(id)
    end
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.lint.context import CALL, LintContext, finding, of_types
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import (
    DEFS,
    calls_by_receiver,
    enclosing_def,
    in_jobs_block,
    is_enqueue,
    scope_batch_locals,
)
from batch2flow.ruby import nodes
from batch2flow.ruby.nodes import Call

HELP = "enqueue it inside the batch's `jobs` block"


@rule(diag.OUTSIDE_JOBS, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, scope in ctx.nodes(DEFS):
        enqueues = _enqueues(scope)
        placed = [(call, in_jobs_block(call.node) is not None) for call in enqueues]
        outside = [call for call, in_jobs in placed if not in_jobs]
        inside = {_worker(call) for call, in_jobs in placed if in_jobs}
        for name, assignment in scope_batch_locals(ctx, scope).items():
            on_it = calls_by_receiver(ctx, scope).get(name, [])
            fills = [c for c in on_it if c.method == "jobs" and c.block is not None]
            if not fills:
                continue
            for call in outside:
                setting_up = assignment.end_byte <= call.node.start_byte < fills[0].node.start_byte
                if setting_up or _worker(call) in inside - {None}:
                    yield finding(diag.OUTSIDE_JOBS, parsed, call.node,
                                  f"`{nodes.text(call.node).split('(')[0]}` is enqueued outside "
                                  f"`{name}.jobs`: it runs in no batch, and `{name}`'s callbacks "
                                  "do not wait for it")


def _enqueues(scope: Node) -> list[Call]:
    found = []
    for node in of_types(scope, CALL):
        call = nodes.as_call(node)
        if call is not None and is_enqueue(call) and enclosing_def(node) == scope:
            found.append(call)
    return found


def _worker(call: Call) -> str | None:
    """The worker class an enqueue names (through `set(...)`, or `'class' =>` of a push), as
    written."""
    if call.method in ("push", "push_bulk"):
        named = dict(nodes.hash_pairs(call.args)).get("class")
        return nodes.constant_name(named) or nodes.literal_string(named)
    receiver = call.receiver
    while receiver is not None and receiver.type == "call":
        receiver = receiver.child_by_field_name("receiver")
    return nodes.constant_name(receiver)
