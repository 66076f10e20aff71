"""Class or callback only known at run time.

What it does:
    Finds workers, callback targets and batch events that are only known when the code
    runs: `params[:worker].constantize.perform_async`, `Object.const_get(name)`, a string
    built at run time (`"#{kind}Callback"`), a class taken from a variable or from options.

Why is this bad:
    Nobody reading the code (and no tool) can tell which jobs the workflow runs or which
    callback continues it; a typo or a removed class only shows when the batch is done.
    batch2flow puts a placeholder in the graph where it stands.

Example:
    ```ruby
    "#{kind.camelize}Worker".constantize.perform_async(id)
    ```
    Use instead:
    ```ruby
    WORKERS = { 'invoice' => InvoiceWorker, 'refund' => RefundWorker }.freeze
    WORKERS.fetch(kind).perform_async(id)
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "name the class directly (or pick it from a constant table) so the workflow can be followed"


@rule(diag.DYNAMIC_REFERENCE, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from (Finding(d) for d in ctx.diagnostics(diag.DYNAMIC_REFERENCE))
