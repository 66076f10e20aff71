"""Ruby conditions in the flow body: translated, or kept as a named stub function."""

from __future__ import annotations

from batch2flow import diagnostics as diag
from batch2flow.codegen.names import NameTable
from batch2flow.codegen.plan import ConditionStub
from batch2flow.codegen.ruby_expr import Scope, translate_condition
from batch2flow.codegen.scopes import Scopes
from batch2flow.codegen.submits import Untranslated
from batch2flow.ir import Span

_AND = " && "


def relative_condition(condition: str | None, base: str | None) -> str | None:
    """The part of `condition` added below `base`. Conditions accumulate along a chain
    (`outer && inner`), and a block is already guarded by its callback's own."""
    if condition is None or condition == base:
        return None
    if base and condition.startswith(base + _AND):
        return condition[len(base) + len(_AND):]
    return condition


class ConditionWriter:
    def __init__(self, scopes: Scopes, todo: Untranslated, names: NameTable) -> None:
        self.scopes = scopes
        self.todo = todo
        self.names = names
        self.stubs: list[ConditionStub] = []
        self.spans: dict[str, Span] = {j.id: j.span for j in scopes.workflow.jobs}
        self.spans.update({c.id: c.span for c in scopes.workflow.callbacks})
        self.spans.update({s.id: s.span for s in scopes.workflow.starts})
        # a loop that builds a batch per item is guarded where the batch is built
        self.spans.update({b.id: b.span for b in scopes.workflow.batches})

    def test_in(self, ruby: str, scope: Scope, node: str, items: tuple[str, ...] = (),
                per_item: bool = False) -> str:
        """The Python test for `ruby` read in `scope`; a stub function otherwise, which
        receives the callback's status and the loop `items` the test is read for.
        `per_item`: the test filters a fan-out's items (its stub has a name of its own)."""
        translated = translate_condition(ruby, scope)
        if translated is not None:
            return translated
        span = self.spans[node]
        suffix = "_item" if per_item else ""
        function = self.names.name(f"condition:{node}{suffix}", f"condition_{node}{suffix}")
        params = ((scope.status,) if scope.status else ()) + items
        self.stubs.append(ConditionStub(function, params, ruby, str(span)))
        self.todo.add(node, diag.UNTRANSLATED_CONDITION, (span.file, span.line, span.col),
                      f"condition `{ruby}` is not translated; the flow calls the stub {function}()")
        return f"{function}({', '.join(params)})"
