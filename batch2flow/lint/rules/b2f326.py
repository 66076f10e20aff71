"""`status.failure_info`.

What it does:
    Finds calls of `failure_info` (on a `Sidekiq::Batch::Status`).

Why is this bad:
    Sidekiq Pro 8 removed `Status#failure_info`: the callback raises `NoMethodError`
    after the upgrade, so whatever it should do on failures never happens.

Example:
    ```ruby
    status.failure_info.each { |info| Rails.logger.warn(info.error_message) }
    ```
    Use instead:
    ```ruby
    status.failed_jids.each { |jid| Rails.logger.warn("job #{jid} failed") }
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.lint.ruby import calls

HELP = "use status.failed_jids (and status.failures for the count)"


@rule(diag.FAILURE_INFO, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, call in calls(ctx):
        if call.method == "failure_info" and call.receiver is not None:
            where = call.node.child_by_field_name("method") or call.node
            yield finding(diag.FAILURE_INFO, parsed, where,
                          "`failure_info` was removed in Sidekiq Pro 8: this raises NoMethodError there")
