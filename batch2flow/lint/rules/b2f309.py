"""`jobs` block that can push no job.

What it does:
    Finds `batch.jobs do ... end` blocks that are empty, iterate over an empty literal,
    or push every job behind a condition (`if`, `unless`, `case`, a modifier) with
    nothing pushed when it is false.

Why is this bad:
    When the block pushes nothing the batch has no jobs: depending on the Sidekiq Pro
    version its callbacks fire at once or never, and either way the workflow does not
    go on the way the code reads.

Example:
    ```ruby
    batch.jobs do
      ReminderWorker.perform_async(user.id) if user.subscribed?
    end
    ```
    Use instead: decide before creating the batch.
    ```ruby
    return unless user.subscribed?

    batch.jobs { ReminderWorker.perform_async(user.id) }
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import LOOPS, batch_receiver, calls
from batch2flow.ruby import nodes

HELP = "push at least one job unconditionally, or decide before creating the batch"
CONDITIONALS = frozenset({"if", "unless", "if_modifier", "unless_modifier", "case", "conditional"})


@rule(diag.EMPTY_JOBS, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, call in calls(ctx):
        if call.method != "jobs" or call.block is None or batch_receiver(ctx, parsed, call) is None:
            continue
        body = nodes.block_body(call.block)
        if not body:
            yield finding(diag.EMPTY_JOBS, parsed, call.node,
                          "this `jobs` block is empty: the batch has no jobs")
        elif all(_pushes_nothing(s) or s.type in CONDITIONALS for s in body):
            what = ("iterates over an empty collection" if all(_pushes_nothing(s) for s in body)
                    else "pushes its jobs only under a condition")
            yield finding(diag.EMPTY_JOBS, parsed, call.node,
                          f"this `jobs` block {what}: the batch can end up with no jobs")


def _pushes_nothing(statement: Node) -> bool:
    """A loop over an empty literal (`[].each`, `{}.each`, `0.times`)."""
    call = nodes.as_call(statement)
    if call is None or call.method not in LOOPS or call.receiver is None:
        return False
    receiver = call.receiver
    if receiver.type in ("array", "hash"):
        return not receiver.named_children
    return receiver.type == "integer" and nodes.text(receiver) == "0"
