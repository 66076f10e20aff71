"""Worker enqueued but defined nowhere in the tree.

What it does:
    Finds `Klass.perform_async` (and the other enqueue forms) where `Klass` is not
    defined as a Sidekiq job or an ActiveJob class in the scanned files.

Why is this bad:
    A misspelt or removed worker raises `NameError` at the enqueue, or (through
    `Sidekiq::Client.push` with a string class) pushes jobs no process can run: they sit
    in the retry set until they die, and the batch never succeeds.

Example:
    ```ruby
    batch.jobs { InvoiceMailerWorker.perform_async(id) }   # the class is InvoiceMailWorker
    ```
    Use instead:
    ```ruby
    batch.jobs { InvoiceMailWorker.perform_async(id) }
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "scan the folder that defines the worker too, or correct the class name"


@rule(diag.UNKNOWN_WORKER, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from (Finding(d) for d in ctx.diagnostics(diag.UNKNOWN_WORKER))
