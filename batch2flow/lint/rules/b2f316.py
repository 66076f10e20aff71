"""Batch reopened from code that is neither one of its jobs nor one of its callbacks.

What it does:
    Finds `Sidekiq::Batch.new(bid)` in code that is no job (`perform` of a Sidekiq or
    ActiveJob class) and no batch callback: a controller, a model, a service, a rake
    task; and code that reopens, from a bid it took itself (`bid = batch.bid`), the batch
    it has just created and filled: the creator is no job of that batch either.

Why is this bad:
    A batch can only be reopened while it is still running, that is from one of its own
    jobs or callbacks. From anywhere else the batch may already be complete: the new
    jobs then run in a batch whose callbacks already fired, and nothing waits for them.

Example:
    ```ruby
    class ImportsController < ApplicationController
      def retry_rows
        batch = Sidekiq::Batch.new(params[:bid])
        batch.jobs { ImportRowWorker.perform_async(params[:id]) }
      end
    end
    ```
    Use instead: start a new batch (a child of the running one from one of its jobs), or
    enqueue the extra work from a job or callback of the batch.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.lint.context import ASSIGNMENT, LintContext, ancestors, finding, of_types
from batch2flow.lint.graph_views import callbacks
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import calls, enclosing_class_name, is_batch_new
from batch2flow.ruby import nodes

HELP = "reopen a batch only from one of its jobs or callbacks"
CALLBACK_METHODS = ("on_success", "on_complete", "on_death")


@rule(diag.REOPEN_OUTSIDE, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    callback_classes = {c.target.rpartition("#")[0] for c in callbacks(ctx)}
    for parsed, call in calls(ctx):
        if not call.args or not is_batch_new(call.node):
            continue
        owner = enclosing_class_name(call.node)
        if _own_batch(ctx, call.node, nodes.text(call.args[0])):
            yield finding(diag.REOPEN_OUTSIDE, parsed, call.node,
                          f"reopens the batch this code created itself (`{nodes.text(call.args[0])}` is its "
                          "bid); it is no job of that batch, whose jobs may all be done already")
        elif owner is None or not _may_run_in_batch(ctx, owner, callback_classes):
            where = f"`{owner}`" if owner else "top-level code"
            yield finding(diag.REOPEN_OUTSIDE, parsed, call.node,
                          f"{where} reopens a batch but is neither a job nor a batch callback: "
                          "the batch may be complete already")


def _own_batch(ctx: LintContext, reopen: Node, bid: str) -> bool:
    """`bid` was assigned `x.bid` where `x` was assigned `Sidekiq::Batch.new` (no bid), in the
    class (or file) the reopen is written in."""
    scope = next((a for a in ancestors(reopen) if a.type in ("class", "module")), reopen)
    # one walk a scope, whatever the number of reopens in it: a class of many callbacks
    # would otherwise be walked once for each of them
    created, taken = ctx.memo(("b2f316 bids", scope.id), lambda: _bids(scope))
    return bool(created & taken.get(bid, set()))


def _bids(scope: Node) -> tuple[set[str], dict[str, set[str]]]:
    """The names assigned a new batch (no bid) in `scope`, and for each local or instance
    variable assigned `x.bid` there, the receivers `x`."""
    created: set[str] = set()
    taken: dict[str, set[str]] = {}
    for node in of_types(scope, ASSIGNMENT):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            continue
        new = nodes.as_call(right)
        if is_batch_new(right) and new is not None and not new.args:
            created.add(nodes.text(left))
        elif left.type in ("identifier", "instance_variable"):
            source = nodes.as_call(right)
            if source is not None and source.method == "bid" and source.receiver is not None:
                taken.setdefault(nodes.text(left), set()).add(nodes.text(source.receiver))
    return created, taken


def _may_run_in_batch(ctx: LintContext, owner: str, callback_classes: set[str]) -> bool:
    if ctx.index.worker_kind(owner) is not None or owner in callback_classes:
        return True
    return any(ctx.index.find_method(owner, m, False) is not None for m in CALLBACK_METHODS)
