"""The statement for a place where the Ruby raises: the flow stops there too.

Sidekiq raises ArgumentError at `batch.on(:sucess, ...)` before the jobs after it are
pushed, so the graph holds none of them; a flow that simply ended there would look
like a workflow that succeeded. `ruby_raises(...)` fails the run with Ruby's error,
and the diagnostic counts the place as not converted.
"""

from __future__ import annotations

from batch2flow import diagnostics as diag
from batch2flow.codegen.names import to_python
from batch2flow.codegen.plan import Line
from batch2flow.codegen.submits import Untranslated
from batch2flow.ir import Raise


def raise_line(raised: Raise, todo: Untranslated) -> Line:
    span = raised.span
    todo.add(raised.id, diag.RUBY_RAISES, (span.file, span.line, span.col),
             f"the Ruby raises {raised.error} here, so nothing after it runs; "
             "the flow raises there too (`ruby_raises(...)`)")
    call = f"ruby_raises({to_python(raised.error)}, {to_python(str(span))})"
    return Line(call, raised.ruby)  # where it is, is in the call already
