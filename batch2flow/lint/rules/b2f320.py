"""Workflow loop with no exit condition.

What it does:
    Finds a workflow that starts itself again, or a callback that registers itself
    again, with no condition on the way: every run starts the next one.

Why is this bad:
    The loop never ends: a bug or a stuck input repeats forever, and starting the
    workflow twice (a deploy, a retry, a second click) leaves two loops running side by
    side, for good. A recurring job belongs in a scheduler (Sidekiq Enterprise periodic
    jobs, cron); a loop over pages needs a test for the last page.

Example:
    ```ruby
    def on_complete(_status, _options)
      PollFeedsWorker.perform_in(15.minutes)
    end
    ```
    Use instead:
    ```ruby
    def on_complete(_status, options)
      return if Feed.due.none?

      PollFeedsWorker.perform_in(15.minutes)
    end
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext
from batch2flow.lint.graph_views import at_span
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "end the loop under a condition, or schedule the recurring work (cron, periodic jobs)"


@rule(diag.ENDLESS_LOOP, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    for workflow in ctx.graph.workflows:
        for start in workflow.starts:
            if start.restart and start.condition is None:
                yield at_span(diag.ENDLESS_LOOP, start.span,
                              f"workflow {workflow.name} starts itself again here, under no condition: "
                              "it never ends")
        for callback in workflow.callbacks:
            if callback.repeats is not None and callback.condition is None:
                yield at_span(diag.ENDLESS_LOOP, callback.span,
                              f"{callback.target} registers itself again here, under no condition: "
                              "the loop never ends")
