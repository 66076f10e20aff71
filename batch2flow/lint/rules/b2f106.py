"""Workflow restarts itself.

What it does:
    Finds a callback that registers itself again, or a workflow whose own code starts it
    again: a loop. batch2flow draws it as a loop and does not follow it forever.

Why is this bad:
    It is not wrong in itself (polling or paging through work in rounds), so this is
    information; B2F320 warns about such a loop with no condition to end it.

Example:
    ```ruby
    def on_success(status, options)
      return if options['page'] >= options['pages']
      NextPage.start(options['page'] + 1)
    end
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = ""


@rule(diag.CYCLE, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from (Finding(d) for d in ctx.diagnostics(diag.CYCLE))
