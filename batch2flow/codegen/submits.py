"""The statement that submits one job: `task.submit(...)`, or `task.map(...)` for a fan-out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from batch2flow import diagnostics as diag
from batch2flow.codegen.names import to_python, to_var
from batch2flow.codegen.plan import Line, TaskPlan
from batch2flow.codegen.ruby_expr import Scope, translate, translate_items
from batch2flow.diagnostics import Diagnostic
from batch2flow.ir import Job, Loop

BULK = frozenset({"perform_bulk", "push_bulk"})


@dataclass
class Untranslated:
    """Every place Ruby was kept as a marked stub, so it is counted and reported."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    nodes: set[str] = field(default_factory=set)

    def add(self, node: str, code: diag.Code, where: tuple[str, int, int], message: str) -> None:
        self.nodes.add(node)
        self.diagnostics.append(diag.make(code, where[0], where[1], where[2], message))

    def note(self, code: diag.Code, where: tuple[str, int, int], message: str) -> None:
        """A diagnostic for something that is no job or callback (a batch description), so
        it counts in no coverage figure."""
        self.diagnostics.append(diag.make(code, where[0], where[1], where[2], message))


def value(ruby: str, scope: Scope, job: Job, todo: Untranslated) -> str:
    """Python for one Ruby value; a `ruby_value(...)` marker (and a diagnostic) when it
    cannot be translated faithfully."""
    translated = translate(ruby, scope)
    if translated is not None:
        return translated
    where = f"{job.span.file}:{job.span.line}"
    todo.add(job.id, diag.UNTRANSLATED_VALUE, (job.span.file, job.span.line, job.span.col),
             f"argument `{ruby}` of {job.worker} is not translated; the flow has a "
             "`ruby_value(...)` marker there")
    return f"ruby_value({to_python(ruby)}, {to_python(where)})"


def submit_line(job: Job, task: TaskPlan, var: str, holder: str, wait: str | None,
                scope: Scope, todo: Untranslated) -> list[Line]:
    where = f"{job.span.file}:{job.span.line}"
    wait_arg = [f"wait_for={wait}"] if wait else []
    if not job.fan_out:
        args = [value(arg, scope, job, todo) for arg in job.args]
        call = f"{task.function}.submit({', '.join(args + wait_arg)})"
        return [Line(f"{var} = {holder}.add({call})", where)]
    return _fan_out(job, task, var, holder, wait_arg, scope, todo)


def _fan_out(job: Job, task: TaskPlan, var: str, holder: str, wait_arg: list[str],
             scope: Scope, todo: Untranslated) -> list[Line]:
    where = f"{job.span.file}:{job.span.line}"
    loop = job.loop
    items = None
    if loop is not None:
        items = (translate(loop.items, scope) if loop.method in BULK
                 else translate_items(loop.items, loop.method, scope))
    if items is None:
        source = loop.items if loop is not None else "(the loop around this enqueue)"
        todo.add(job.id, diag.UNTRANSLATED_ITEMS, (job.span.file, job.span.line, job.span.col),
                 f"the items {job.worker} fans out over (`{source}`) are not translated; "
                 "the flow has a `ruby_items(...)` marker there")
        items = f"ruby_items({to_python(source)}, {to_python(where)})"
    items_var = f"{var}_items"
    lines = [Line(f"{items_var} = {items}", f"fan-out, {where}")]
    # Prefect's `.map()` of a task taking `*args` makes ONE run with the lists as its
    # arguments: such a task is submitted once per item instead
    rest = any(p.startswith("*") and not p.startswith("**") for p in task.params)
    if loop is not None and loop.method in BULK:
        waits = "".join(", " + w for w in wait_arg)
        if rest:
            call = f"[{task.function}.submit(*row{waits}) for row in zip(*columns({items_var}))]"
        else:
            width = len([p for p in task.params if not p.startswith("*")])
            call = f"{task.function}.map(*columns({items_var}, {width}){waits})"
    else:
        item = to_var(loop.variables[0]) if loop is not None and loop.variables else "item"
        inner = replace(scope, names={**scope.names, **_loop_names(loop, item)})
        args = [value(arg, inner, job, todo) for arg in job.args]
        if rest or not args:
            each = item if args else "_"
            call = f"[{task.function}.submit({', '.join(args + wait_arg)}) for {each} in {items_var}]"
        else:
            columns_ = [f"[{arg} for {item} in {items_var}]" for arg in args]
            call = f"{task.function}.map({', '.join(columns_ + wait_arg)})"
    return [*lines, Line(f"{var} = {holder}.add({call})", where)]


def _loop_names(loop: Loop | None, item: str) -> dict[str, str]:
    return {loop.variables[0]: item} if loop is not None and loop.variables else {}
