"""Reopened batch that is not there (no parent, or a bid that cannot be traced).

What it does:
    Finds `Sidekiq::Batch.new(bid)` where the bid is nil or cannot be traced to a batch:
    most often `Sidekiq::Batch.new(status.parent_bid)` in a callback of a batch that has
    no parent.

Why is this bad:
    `Sidekiq::Batch.new(nil)` creates a new, unrelated batch instead of reopening one:
    the jobs added "to the parent" belong to no workflow step, and the parent's
    callbacks fire without waiting for them.

Example:
    ```ruby
    overall = Sidekiq::Batch.new                  # a root batch
    overall.on(:success, 'Steps#step1_done')
    # in Steps#step1_done:
    Sidekiq::Batch.new(status.parent_bid)         # nil: overall has no parent
    ```
    Use instead: make each step a child batch, created inside the parent's `jobs` block,
    and reopen `status.parent_bid` from the child's callback.
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "reopen a batch that exists: create the step as a child of the batch you reopen"


@rule(diag.UNKNOWN_BATCH, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from (Finding(d) for d in ctx.diagnostics(diag.UNKNOWN_BATCH))
