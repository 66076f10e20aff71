"""Callback class whose constructor needs arguments.

What it does:
    Finds callback targets (`on(event, Klass)` or `'Klass#method'`) whose class defines
    an `initialize` with required parameters.

Why is this bad:
    Sidekiq builds the callback object with `Klass.new`, no arguments, when the batch
    is done: `ArgumentError` is raised there, and the callback never runs.

Example:
    ```ruby
    class ImportCallback
      def initialize(import)
        @import = import
      end
    end
    batch.on(:success, ImportCallback, 'import_id' => import.id)
    ```
    Use instead: pass what the callback needs in the options, and read it in the method.
    ```ruby
    class ImportCallback
      def on_success(status, options)
        import = Import.find(options['import_id'])
      end
    end
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext
from batch2flow.lint.graph_views import at_span, callbacks, own_method
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule

HELP = "give `initialize` no required parameters, and pass what the callback needs in its options"


@rule(diag.CALLBACK_NEEDS_ARGS, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    for callback in callbacks(ctx):
        klass = callback.target.rpartition("#")[0]
        init = own_method(ctx, klass, "initialize")
        if init is None:
            continue
        required = [p for p, k in zip(init.params, init.param_kinds, strict=False) if k in ("req", "keyreq")]
        if required:
            yield at_span(diag.CALLBACK_NEEDS_ARGS, callback.span,
                          f"Sidekiq calls `{klass}.new` with no arguments, but its initialize "
                          f"({init.file.path}:{init.line}) requires {', '.join(required)}")
