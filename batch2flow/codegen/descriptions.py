"""A batch's description in the flow: the Ruby's text, computed the way Ruby computes it.

`batch.description = "Data pipeline #{source_id}"` becomes
`'Data pipeline ' + ruby_to_s(source_id)`; where a `#{...}` cannot be translated, the
batch gets no description (`None`), the Ruby goes in the line's comment and a
diagnostic says so: the raw `#{...}` must never pass for the value.
"""

from __future__ import annotations

from batch2flow import diagnostics as diag
from batch2flow.codegen.names import to_python
from batch2flow.codegen.ruby_expr import Scope
from batch2flow.codegen.ruby_text import translate_text
from batch2flow.codegen.submits import Untranslated
from batch2flow.ir import Batch


def description_arg(batch: Batch, scope: Scope, todo: Untranslated) -> tuple[str, str]:
    """The argument for `run.batch(...)`/`.child(...)` ("" for none), and a note for the
    line's comment ("" for none)."""
    if batch.description_ruby is None:
        return (to_python(batch.description) if batch.description is not None else ""), ""
    python, notes = translate_text(batch.description_ruby, scope)
    if python is not None:
        return python, ""
    span = batch.span
    why = notes[-1] if notes else "not translated"
    todo.add(batch.id, diag.UNTRANSLATED_DESCRIPTION, (span.file, span.line, span.col),
             f"description `{batch.description_ruby}` of batch {batch.id} is not translated "
             f"({why}); the batch has no description in the flow")
    return "None", f"description not translated: {batch.description_ruby}"
