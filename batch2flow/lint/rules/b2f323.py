"""Batch status polled in a loop.

What it does:
    Finds loops (`loop do`, `while`, `until`) that `sleep` while they read a batch's
    status (`Sidekiq::Batch::Status.new(bid)`, `complete?`, `pending`, `join`).

Why is this bad:
    The waiting code holds a thread (a Sidekiq thread, when it runs in a job) for as long
    as the batch runs, and the batch's jobs may need that thread; it also misses the
    batch's failure semantics. A callback runs exactly when the batch is done.

Example:
    ```ruby
    status = Sidekiq::Batch::Status.new(bid)
    sleep 5 until status.complete?
    PublishWorker.perform_async(id)
    ```
    Use instead:
    ```ruby
    batch.on(:complete, 'Publishing#publish', 'id' => id)
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext, finding, walk
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.ruby import nodes

HELP = "register a :complete or :success callback instead of waiting for the batch"
LOOP_NODES = ("while", "until", "while_modifier", "until_modifier")
STATUS_READS = frozenset({"complete?", "pending", "done?", "join", "failures", "total"})


@rule(diag.STATUS_POLLING, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, node in ctx.nodes(("call", *LOOP_NODES)):
        call = nodes.as_call(node) if node.type == "call" else None
        if call is not None and (call.method != "loop" or call.block is None or call.receiver is not None):
            continue
        if _sleeps(node) and _reads_status(node):
            yield finding(diag.STATUS_POLLING, parsed, node,
                          "this loop sleeps until a batch is done: a callback would run then")


def _sleeps(loop: Node) -> bool:
    return any(n.type in ("call", "identifier") and _method(n) == "sleep" for n in walk(loop))


def _reads_status(loop: Node) -> bool:
    for node in walk(loop):
        name = nodes.constant_name(node)
        if name is not None and name.removeprefix("::") == "Sidekiq::Batch::Status":
            return True
        if node.type == "call" and _method(node) in STATUS_READS:
            return True
    return False


def _method(node: Node) -> str | None:
    call = nodes.as_call(node)
    return call.method if call is not None else None
