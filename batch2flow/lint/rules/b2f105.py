"""Job meant for a batch enqueued outside its `jobs` block.

What it does:
    Finds jobs whose `perform` uses `batch` (or `bid`), the batch the job runs in, but
    which are enqueued outside any `jobs` block.

Why is this bad:
    Only jobs pushed inside `batch.jobs do ... end` belong to the batch. Pushed anywhere
    else the job runs in no batch: `batch` is nil, the batch's callbacks do not wait for
    it, and `batch.jobs` in its perform raises `NoMethodError`.

Example:
    ```ruby
    batch.jobs { ExtractWorker.perform_async(id) }
    LoadWorker.perform_async(id)      # its perform calls batch.jobs: not in the batch
    ```
    Use instead:
    ```ruby
    batch.jobs do
      ExtractWorker.perform_async(id)
      LoadWorker.perform_async(id)
    end
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "enqueue the job inside the batch's `jobs` block"


@rule(diag.BATCH_OUTSIDE_BATCH, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from (Finding(d) for d in ctx.diagnostics(diag.BATCH_OUTSIDE_BATCH))
