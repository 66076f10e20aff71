"""`:death` with the open-source sidekiq-batch gem.

What it does:
    Finds `batch.on(:death, ...)` in an app whose Gemfile or Gemfile.lock (in or above
    the scanned folder) uses the `sidekiq-batch` gem rather than Sidekiq Pro.

Why is this bad:
    The sidekiq-batch gem implements `:success` and `:complete` only: a `:death`
    callback is accepted and never fires, so the alerting or clean-up it holds never
    happens when a job dies.

Example:
    ```ruby
    batch.on(:death, 'ImportAlerts#page')      # never runs under sidekiq-batch
    ```
    Use instead: a `:complete` callback that looks at `status.failures`, or Sidekiq Pro.
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.batches import callback_registrations
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.ruby import nodes

HELP = "register :complete and check status.failures there; sidekiq-batch never fires :death"


@rule(diag.DEATH_UNSUPPORTED, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    if "sidekiq-batch" not in ctx.gems or "sidekiq-pro" in ctx.gems:
        return
    for parsed, call in callback_registrations(ctx):
        if nodes.literal_string(call.args[0]) == "death":
            yield finding(diag.DEATH_UNSUPPORTED, parsed, call.args[0],
                          "the sidekiq-batch gem (in this app's Gemfile) never fires :death callbacks")
