"""`jobs` block that can push no job.

What it does:
    Finds the `jobs` block of a batch created there (`Sidekiq::Batch.new`) that is
    empty, iterates over an empty literal, or pushes every job behind a condition (`if`,
    `unless`, `case`, a modifier) with nothing pushed when it is false. (A job's own
    batch, or a reopened one, has jobs already: adding none to it is fine.)

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
from batch2flow.lint.batches import batch_receiver
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import LOOPS, calls, enclosing_def, is_batch_new, scope_batch_locals
from batch2flow.parsing import ParsedFile
from batch2flow.ruby import nodes
from batch2flow.ruby.nodes import Call

HELP = "push at least one job unconditionally, or decide before creating the batch"
CONDITIONALS = frozenset({"if", "unless", "if_modifier", "unless_modifier", "case", "conditional"})


@rule(diag.EMPTY_JOBS, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, call in calls(ctx):
        if call.method != "jobs" or call.block is None or not _new_batch(ctx, parsed, call):
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


def _new_batch(ctx: LintContext, parsed: ParsedFile, call: Call) -> bool:
    """A batch created here, empty so far: a job's own or a reopened batch has jobs already."""
    name = batch_receiver(ctx, parsed, call)
    scope = enclosing_def(call.node)
    if name is None or call.receiver is None:
        return False
    if is_batch_new(call.receiver):
        created = call.receiver
    elif scope is not None and name in scope_batch_locals(ctx, scope):
        created = scope_batch_locals(ctx, scope)[name].child_by_field_name("right") or call.receiver
    else:
        return False
    made = nodes.as_call(created)
    return made is not None and not made.args


def _pushes_nothing(statement: Node) -> bool:
    """A loop over an empty literal (`[].each`, `{}.each`, `0.times`)."""
    call = nodes.as_call(statement)
    if call is None or call.method not in LOOPS or call.receiver is None:
        return False
    receiver = call.receiver
    if receiver.type in ("array", "hash"):
        return not receiver.named_children
    return receiver.type == "integer" and nodes.text(receiver) == "0"
