"""Ruby conditions in the flow body: translated, or kept as a named stub function."""

from __future__ import annotations

import ast

from batch2flow import diagnostics as diag
from batch2flow.analysis.conditions import as_operand
from batch2flow.codegen.names import NameTable
from batch2flow.codegen.plan import ConditionStub
from batch2flow.codegen.ruby_expr import translate_condition
from batch2flow.codegen.scopes import Scopes
from batch2flow.codegen.submits import Untranslated
from batch2flow.ir import Span

_AND = " && "


def relative_condition(condition: str | None, base: str | None) -> str | None:
    """The part of `condition` added below `base`. Conditions accumulate along a chain
    (`outer && inner`), and a block is already guarded by its callback's own."""
    if condition is None or condition == base:
        return None
    below = _below(condition, base)
    return below if below is not None else condition


def _below(condition: str, base: str | None) -> str | None:
    """What `condition` adds to `base` when it is `base && more` (`base` grouped there
    when it holds an `||`); None otherwise."""
    if not base:
        return None
    head = as_operand(base) + _AND
    return condition[len(head):] if condition.startswith(head) else None


class ConditionWriter:
    def __init__(self, scopes: Scopes, todo: Untranslated, names: NameTable) -> None:
        self.scopes = scopes
        self.todo = todo
        self.names = names
        self.stubs: list[ConditionStub] = []
        self.spans: dict[str, Span] = {j.id: j.span for j in scopes.workflow.jobs}
        self.spans.update({c.id: c.span for c in scopes.workflow.callbacks})
        self.spans.update({s.id: s.span for s in scopes.workflow.starts})
        self.jobs = {j.id: j for j in scopes.workflow.jobs}

    def guard(self, condition: str, base: str | None, actor: str | None, node: str) -> str:
        """The Python test for the part of `condition` below `base`. What a job's perform
        sets off also carries that job's condition, which reads the code the job was
        enqueued from (a perform does not see the starter's parameters): that part is read
        there, the rest in the perform."""
        split = self._spawner_test(condition, base, actor)
        if split is not None:
            outer_test, own = split
            tests = [t for t in (outer_test, own and self.test(own, actor, node)) if t]
            return " and ".join(_grouped(t) for t in tests)
        relative = relative_condition(condition, base)
        assert relative is not None
        return self.test(relative, actor, node)

    def _spawner_test(self, condition: str, base: str | None, actor: str | None) -> tuple[str, str] | None:
        """(test of the enqueuing job's condition, the rest of `condition`), when `actor` is a
        conditional job whose condition translates where that job was enqueued."""
        spawner = self.jobs.get(actor or "")
        outer = spawner.condition if spawner is not None else None
        if spawner is None or outer is None:
            return None
        own = "" if condition == outer else _below(condition, outer)
        if own is None:
            return None
        above = relative_condition(outer, base)
        outer_test = translate_condition(above, self.scopes.chain(spawner.spawned_by)) if above else ""
        if outer_test is None:
            return None
        return outer_test, own

    def test(self, ruby: str, actor: str | None, node: str) -> str:
        """The Python test for `ruby`, read where `actor`'s code runs."""
        scope = self.scopes.chain(actor)
        translated = translate_condition(ruby, scope)
        if translated is not None:
            return translated
        span = self.spans[node]
        function = self.names.name(f"condition:{node}", f"condition_{node}")
        params = (scope.status,) if scope.status else ()
        self.stubs.append(ConditionStub(function, params, ruby, str(span)))
        self.todo.add(node, diag.UNTRANSLATED_CONDITION, (span.file, span.line, span.col),
                      f"condition `{ruby}` is not translated; the flow calls the stub {function}()")
        return f"{function}({', '.join(params)})"


def _grouped(test: str) -> str:
    """`test` as an operand of `and`."""
    top = ast.parse(test, mode="eval").body
    if not isinstance(top, (ast.BoolOp, ast.IfExp, ast.Lambda, ast.NamedExpr)) or _enclosed(test):
        return test
    return f"({test})"


def _enclosed(test: str) -> bool:
    """`(a or b)`, not `(a) or (b)`."""
    if not (test.startswith("(") and test.endswith(")")):
        return False
    try:
        ast.parse(test[1:-1], mode="eval")
    except SyntaxError:
        return False
    return True
