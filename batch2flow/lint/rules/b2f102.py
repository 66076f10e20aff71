"""Callback target class or method not found.

What it does:
    Finds `batch.on(event, target)` whose target class, or the method Sidekiq calls on
    it, is defined nowhere in the scanned tree. For a class target that is the
    `on_<event>` method of the event it is registered for: `on(:complete, Klass)` calls
    `Klass#on_complete`, whatever other `on_*` methods the class has. A string target
    (`'Klass#method'`) is looked up from the top level, as Sidekiq constantizes it.

Why is this bad:
    Sidekiq raises `NameError` or `NoMethodError` when the batch is done: the callback
    fails (and is retried) and the workflow it should continue stops there.

Example:
    ```ruby
    class ImportCallback
      def on_success(status, options); end
    end
    batch.on(:complete, ImportCallback)          # ImportCallback#on_complete: not found
    batch.on(:success, 'ImportCallback#on_sucess')
    ```
    Use instead:
    ```ruby
    batch.on(:success, ImportCallback)
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "define the method, or name the one that exists (`Klass` calls `on_<event>`, 'Klass#meth' calls meth)"


@rule(diag.UNRESOLVED_CALLBACK, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    yield from (Finding(d) for d in ctx.diagnostics(diag.UNRESOLVED_CALLBACK))
