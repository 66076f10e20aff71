"""Job enqueued inside a database transaction.

What it does:
    Finds enqueues (`perform_async`, `perform_later`, `Sidekiq::Client.push`, a batch's
    `jobs` block) inside `transaction do ... end`, unless the app turned on Sidekiq's
    `transactional_push!`.

Why is this bad:
    The job is in Redis at once, before the transaction commits: it may run before the
    rows it reads exist, or run for rows that a rollback removed.

Example:
    ```ruby
    Order.transaction do
      order.save!
      FulfilWorker.perform_async(order.id)
    end
    ```
    Use instead:
    ```ruby
    Order.transaction { order.save! }
    FulfilWorker.perform_async(order.id)       # or in an after_commit callback
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext, finding, walk
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import DEFS, calls, is_enqueue
from batch2flow.ruby import nodes

HELP = "enqueue after the transaction commits (after_commit), or turn on Sidekiq.transactional_push!"


@rule(diag.ENQUEUE_IN_TRANSACTION, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    everything = list(calls(ctx))
    if any(call.method == "transactional_push!" for _parsed, call in everything):
        return
    for parsed, call in everything:
        if call.method != "transaction" or call.block is None:
            continue
        for node in walk(call.block):
            inner = nodes.as_call(node) if node.type == "call" else None
            if inner is None or node.parent is None or any(a.type in DEFS for a in _up_to(node, call.block)):
                continue
            if is_enqueue(inner) or (inner.method == "jobs" and inner.block is not None):
                what = "a batch's jobs" if inner.method == "jobs" else f"`{inner.method}`"
                yield finding(diag.ENQUEUE_IN_TRANSACTION, parsed, node,
                              f"{what} inside a transaction: the job can run before the commit, "
                              "or after a rollback")


def _up_to(node: Node, top: Node) -> Iterator[Node]:
    current = node.parent
    while current is not None and current != top:
        yield current
        current = current.parent
