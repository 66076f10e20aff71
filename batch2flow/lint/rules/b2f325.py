"""`perform_async` in a loop inside `jobs`, where `perform_bulk` would do.

What it does:
    Finds a loop inside a batch's `jobs` block whose body is a single
    `Klass.perform_async(...)` of one named class. Loops that already push one job per group
    (`find_in_batches`, `each_slice`) and `N.times` with a literal N are left alone.

Why is this bad:
    Each `perform_async` is a round trip to Redis (and, in a batch, a batch update):
    thousands of them make the `jobs` block slow and the batch open for long.
    `perform_bulk` pushes them in a few calls. This is information, not an error.

Example:
    ```ruby
    batch.jobs do
      user_ids.each { |id| MailWorker.perform_async(id) }
    end
    ```
    Use instead:
    ```ruby
    batch.jobs do
      MailWorker.perform_bulk(user_ids.map { |id| [id] })
    end
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import LOOPS, calls, in_jobs_block
from batch2flow.ruby import nodes
from batch2flow.ruby.nodes import Call

#: iterators that already push one job per group of items
GROUPED = frozenset({"find_in_batches", "in_batches", "each_slice"})
HELP = "Klass.perform_bulk(items.map { |item| [item] }) pushes them in a few round trips"


@rule(diag.PREFER_BULK, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, call in calls(ctx):
        if call.method not in LOOPS or call.method in GROUPED or call.block is None \
                or in_jobs_block(call.node) is None or _counted(call):
            continue
        body = nodes.block_body(call.block)
        inner = nodes.as_call(body[0]) if len(body) == 1 else None
        # `workers.each { |w| w.perform_async }` pushes a different class each time: no bulk
        constant = inner is not None and nodes.constant_name(inner.receiver) is not None
        if inner is not None and constant and inner.method == "perform_async" and inner.block is None:
            yield finding(diag.PREFER_BULK, parsed, inner.node,
                          f"`perform_async` once per item of `{call.method}`: "
                          "`perform_bulk` pushes them together")


def _counted(loop: Call) -> bool:
    """`4.times { ... }`: a handful of jobs, known in advance."""
    return loop.method == "times" and loop.receiver is not None and loop.receiver.type == "integer"
