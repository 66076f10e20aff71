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
from dataclasses import replace

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext
from batch2flow.lint.graph_views import callbacks
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "define the method, or name the one that exists (`Klass` calls `on_<event>`, 'Klass#meth' calls meth)"


@rule(diag.UNRESOLVED_CALLBACK, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    registered = {(c.span.file, c.span.line, c.span.col): c for c in callbacks(ctx)}
    for found in ctx.diagnostics(diag.UNRESOLVED_CALLBACK):
        callback = registered.get((found.file, found.line, found.col))
        hint = _other_events(ctx, callback.target, callback.event) if callback is not None else None
        yield Finding(replace(found, help=hint) if hint else found)


def _other_events(ctx: LintContext, target: str, event: str) -> str | None:
    """For a class target registered for an event it has no `on_<event>` for, the `on_*`
    methods it does have: the usual mix-up of events (or a misspelling)."""
    klass, _, method = target.rpartition("#")
    info = ctx.index.classes.get(klass)
    if info is None or method != f"on_{event}":
        return None
    others = sorted(m for m in info.methods if m.startswith("on_"))
    if not others:
        return None
    names = ", ".join(f"`{m}`" for m in others)
    return (f"`{klass}` defines {names}: a :{event} callback calls `on_{event}`; "
            "rename it, or register the event it handles")
