"""Unknown method called on a batch.

What it does:
    Finds calls on a `Sidekiq::Batch` (a variable assigned `Sidekiq::Batch.new`, or a
    job's own `batch`) of a method batches do not have: `step.jos do`,
    `batch.descripton = ...`.

Why is this bad:
    Ruby raises `NoMethodError` there: nothing after it runs, and a misspelt `jobs`
    means the batch is never filled, so the workflow stops.

Example:
    ```ruby
    step.jos do
      ImportWorker.perform_async(id)
    end
    ```
    Use instead:
    ```ruby
    step.jobs do
      ImportWorker.perform_async(id)
    end
    ```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.batches import batch_receiver
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import calls

HELP = "Sidekiq::Batch has jobs, on, bid, parent_bid, description=, callback_queue= and status"
#: Sidekiq Pro's public Batch API, and what every object answers
BATCH_METHODS = frozenset({
    "jobs", "on", "bid", "parent_bid", "parent", "description", "description=", "callback_queue",
    "callback_queue=", "callback_batch", "callback_batch?", "expiry", "expiry=", "linger", "linger=",
    "mutable?", "valid?", "invalidate_all", "invalidate_jids", "invalidated?", "jids", "include?",
    "status", "created_at", "callbacks", "increment_job_count",
    "to_s", "inspect", "nil?", "present?", "blank?", "is_a?", "kind_of?", "instance_of?", "respond_to?",
    "object_id", "tap", "then", "frozen?", "freeze", "dup", "send", "public_send", "class", "hash", "eql?",
    "equal?", "instance_variable_get", "instance_variable_set", "try", "as_json", "to_json",
})
_GENERIC = ("send", "class", "hash", "then", "tap")
COMMON = sorted(m for m in BATCH_METHODS if m[0].isalpha() and m not in _GENERIC)


@rule(diag.UNKNOWN_BATCH_METHOD, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, call in calls(ctx):
        parent = call.node.parent
        name = call.method
        setter = parent is not None and parent.type == "assignment"
        if setter and parent is not None and parent.child_by_field_name("left") == call.node:
            name += "="  # `batch.descripton = x` calls `descripton=`
        if name in BATCH_METHODS or name.startswith("_"):
            continue
        batch = batch_receiver(ctx, parsed, call)
        if batch is None:
            continue
        close = difflib.get_close_matches(name, COMMON, n=1, cutoff=0.7)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        where = call.node.child_by_field_name("method") or call.node
        yield finding(diag.UNKNOWN_BATCH_METHOD, parsed, where,
                      f"`{batch}` is a Sidekiq::Batch, which has no method `{name}`{hint}")
