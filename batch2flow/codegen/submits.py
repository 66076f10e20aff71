"""The statement that submits one job: `task.submit(...)`, or `task.map(...)` for a fan-out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from batch2flow import diagnostics as diag
from batch2flow.codegen.names import to_python, to_var
from batch2flow.codegen.plan import Line, TaskPlan
from batch2flow.codegen.ruby_expr import Scope, translate, translate_items
from batch2flow.diagnostics import Diagnostic
from batch2flow.ir import Job, Loop, Span

BULK = frozenset({"perform_bulk", "push_bulk"})


@dataclass
class Untranslated:
    """Every place Ruby was kept as a marked stub, so it is counted and reported."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    nodes: set[str] = field(default_factory=set)

    def add(self, node: str, code: diag.Code, where: tuple[str, int, int], message: str) -> None:
        self.nodes.add(node)
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


def is_bulk(job: Job) -> bool:
    """The job is one `perform_bulk` / `push_bulk`: one job per row of its items."""
    return job.loop is not None and job.loop.method in BULK


#: the Python test of a fan-out's per-item condition, read in the scope of one item
ItemTest = Callable[[Scope], str]


def submit_line(job: Job, task: TaskPlan, var: str, holder: str, wait: str | None,
                scope: Scope, todo: Untranslated, local: Callable[[str], str] = str,
                item_test: ItemTest | None = None) -> list[Line]:
    """`local(wanted)`: a name for a comprehension variable that no flow variable has, so
    the `wait_for=` inside the comprehension still reads the flow's variables.
    `item_test`: the condition written inside the loop, which filters its items."""
    where = f"{job.span.file}:{job.span.line}"
    wait_arg = [f"wait_for={wait}"] if wait else []
    if not job.fan_out:
        args = [value(arg, scope, job, todo) for arg in job.args]
        call = f"{task.function}.submit({', '.join(args + wait_arg)})"
        return [Line(f"{var} = {holder}.add({call})", where)]
    return _fan_out(job, task, (var, holder, local), wait_arg, (scope, item_test), todo)


def _fan_out(job: Job, task: TaskPlan, names: tuple[str, str, Callable[[str], str]], wait_arg: list[str],
             scopes: tuple[Scope, ItemTest | None], todo: Untranslated) -> list[Line]:
    scope = scopes[0]
    var, holder, local = names
    where = f"{job.span.file}:{job.span.line}"
    items_var = f"{var}_items"
    lines = [Line(f"{items_var} = {_items(job, task, scope, todo)}", f"fan-out, {where}")]
    if is_bulk(job):
        # one submit per row, the row's elements its arguments: a row may be shorter than
        # `perform`'s parameters (optional ones) or longer (`*args`)
        row = local("row")
        submit = f"{task.function}.submit({', '.join([f'*{row}', *wait_arg])})"
        call = f"[{submit} for {row} in bulk_rows({items_var})]"
    else:
        call = _per_item(job, task, (items_var, local), wait_arg, scopes, todo)
    return [*lines, Line(f"{var} = {holder}.add({call})", where)]


def _items(job: Job, task: TaskPlan, scope: Scope, todo: Untranslated) -> str:
    """Python for the items a fan-out goes over; a `ruby_items(...)` marker when untranslated."""
    loop = job.loop
    items = None
    if loop is not None and is_bulk(job):
        items = translate(loop.items, scope)
    elif loop is not None:
        items = translate_items(loop.items, loop.method, scope)
    if items is not None:
        return items
    source = loop.items if loop is not None else "(the loop around this enqueue)"
    # rehearsed rows must bind to the task: one value per required parameter
    width = sum(1 for p in task.params if not p.startswith("*") and "=" not in p) if is_bulk(job) else None
    return items_marker(job.id, source, job.span, todo, f"the items {job.worker} fans out over", width)


def items_marker(node: str, source: str, span: Span, todo: Untranslated, what: str,
                 row_width: int | None = None) -> str:
    """A `ruby_items(...)` marker for items not translated, and its diagnostic."""
    todo.add(node, diag.UNTRANSLATED_ITEMS, (span.file, span.line, span.col),
             f"{what} (`{source}`) are not translated; the flow has a `ruby_items(...)` marker there")
    marker = [to_python(source), to_python(f"{span.file}:{span.line}")]
    if row_width is not None:
        marker.append(f"row_width={row_width}")
    return f"ruby_items({', '.join(marker)})"


def _per_item(job: Job, task: TaskPlan, items: tuple[str, Callable[[str], str]], wait_arg: list[str],
              scopes: tuple[Scope, ItemTest | None], todo: Untranslated) -> str:
    """One job per item of a loop: `task.map(...)` over one list per argument, or a
    submit per item where `.map()` cannot bind the arguments (a `*args` parameter).
    A condition written inside the loop filters the items: `... for item in items if test`."""
    items_var, local = items
    scope, item_test = scopes
    loop = job.loop
    item = to_var(loop.variables[0]) if loop is not None and loop.variables else "item"
    mapped = bool(job.args) and not any(param.startswith("*") for param in task.params)
    if not mapped and (job.args or item_test is not None):
        item = local(item)  # the submit's `wait_for=` is inside this comprehension
    names = _loop_names(loop, item)
    over = items_var
    # `each_with_index { |name, i| ... }`: the index is the block's second parameter
    index = local(to_var(loop.variables[1])) if loop is not None and _indexed(loop) else None
    if loop is not None and index is not None:
        names[loop.variables[1]] = index
        over = f"enumerate({items_var})"
    inner = replace(scope, names={**scope.names, **names})
    args = [value(arg, inner, job, todo) for arg in job.args]
    keep = f" if {item_test(inner)}" if item_test is not None else ""
    if mapped:
        target = f"{index}, {item}" if index else item
        columns_ = [f"[{arg} for {target} in {over}{keep}]" for arg in args]
        return f"{task.function}.map({', '.join(columns_ + wait_arg)})"
    each = item if args or keep else "_"
    target = f"{index}, {each}" if index else each
    return f"[{task.function}.submit({', '.join(args + wait_arg)}) for {target} in {over}{keep}]"


def _indexed(loop: Loop) -> bool:
    return loop.method == "each_with_index" and len(loop.variables) == 2


def _loop_names(loop: Loop | None, item: str) -> dict[str, str]:
    return {loop.variables[0]: item} if loop is not None and loop.variables else {}
