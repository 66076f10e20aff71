"""`perform_inline` inside a batch.

What it does:
    Finds `Klass.perform_inline(...)` (or `perform_sync`) inside a batch's `jobs` block.

Why is this bad:
    `perform_inline` runs the job right there, in the current thread; it is pushed to no
    queue and so is no job of the batch. The batch's callbacks neither wait for it nor
    see its failure, and its own `batch` is nil.

Example:
    ```ruby
    batch.jobs do
      PrepareWorker.perform_inline(id)
      RenderWorker.perform_async(id)
    end
    ```
    Use instead: `perform_async`, or call the code directly before creating the batch.
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import calls, in_jobs_block

HELP = "use perform_async inside `jobs`, or run the code before creating the batch"


@rule(diag.INLINE_IN_BATCH, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, call in calls(ctx):
        if call.method in ("perform_inline", "perform_sync") and in_jobs_block(call.node) is not None:
            yield finding(diag.INLINE_IN_BATCH, parsed, call.node,
                          f"`{call.method}` runs the job here and now: it is no job of this batch")
