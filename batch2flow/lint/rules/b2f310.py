"""Callback registered after `jobs` was called.

What it does:
    Finds `batch.on(...)` written after `batch.jobs do ... end` on the same batch in the
    same method.

Why is this bad:
    The jobs start running as soon as `jobs` returns, and may all finish before the
    callback is registered: the batch is then complete with no callback to fire, and the
    workflow stops.

Example:
    ```ruby
    batch.jobs { ImportWorker.perform_async(id) }
    batch.on(:success, ImportCallback)
    ```
    Use instead:
    ```ruby
    batch.on(:success, ImportCallback)
    batch.jobs { ImportWorker.perform_async(id) }
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.batches import batch_receiver
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import calls, enclosing_def, inside

HELP = "register every callback before calling `jobs`"


@rule(diag.CALLBACK_AFTER_JOBS, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    filled: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for parsed, call in calls(ctx):
        scope = enclosing_def(call.node)
        name = batch_receiver(ctx, parsed, call) if call.method in ("jobs", "on") else None
        if scope is None or name is None:
            continue
        key = (id(parsed), f"{scope.start_byte}:{name}")
        if call.method == "jobs" and call.block is not None:
            filled.setdefault(key, []).append((call.node.start_byte, call.node.end_byte))
        elif call.method == "on":
            earlier = [end for start, end in filled.get(key, []) if end <= call.node.start_byte]
            nested = any(inside(call.node, scope) and start <= call.node.start_byte < end
                         for start, end in filled.get(key, []))
            if earlier and not nested:
                yield finding(diag.CALLBACK_AFTER_JOBS, parsed, call.node,
                              f"`{name}.on` comes after `{name}.jobs`: the jobs may all be done "
                              "before this callback is registered")
