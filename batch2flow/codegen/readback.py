"""Read a generated flow back with libcst and check it against the graph it came from.

Rendering is trusted no further than this check: the job each variable submits,
what it waits for (`wait_for=`, `allow_failure`, `died()`, `status()` guards) and
whether it fans out are re-derived from the source text, and the resulting
happens-before between jobs must be exactly the graph's; and no name may be read
where it can be unbound. A callback block
(`@run.callback(after=[...])`) runs in a thread of its own, so a batch's jobs count
in what it waits for only when they were submitted by a block it is nested in, by
itself, by a block it waits for through `after`, or (a death watch) by a block its
`died(added_by=[...])` names. A function the body hands to `run.each(items, f)` (the
code of a loop that builds one batch per item) runs at once, once per item: its jobs
are read where it stands, as fan-outs. A mismatch is an internal
error naming the workflow: a converter must never ship a flow that dropped a task.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst

from batch2flow.codegen.bound_names import unbound_reads
from batch2flow.ir import Workflow


class ReadBackMismatch(Exception):
    """The generated flow does not say what the graph says."""


@dataclass
class FlowShape:
    #: job variable -> Prefect task name it submits
    task_of: dict[str, str] = field(default_factory=dict)
    #: job variable -> job variables it waits for (directly)
    waits_for: dict[str, set[str]] = field(default_factory=dict)
    fan_out: set[str] = field(default_factory=set)
    #: variables assigned more than once (a job submitted twice)
    repeated: set[str] = field(default_factory=set)


def read_flow(source: str) -> FlowShape:
    module = cst.parse_module(source)
    tasks = _task_names(module)
    shape = FlowShape()
    for node in module.body:
        if isinstance(node, cst.FunctionDef) and _decorator_name(node) == "flow":
            _Reader(module, tasks, shape).block(node.body.body, set())
    return shape


def check_flow(source: str, workflow: Workflow, variables: dict[str, str],
               task_names: dict[str, str]) -> None:
    """Raise ReadBackMismatch unless the flow's jobs and their order match the graph.

    `variables` maps job id -> the variable the flow submits it to; `task_names` maps
    job id -> the Prefect task name it must run."""
    try:
        shape = read_flow(source)
    except ReadBackMismatch as error:
        raise ReadBackMismatch(f"workflow {workflow.name}: {error}") from error
    problems = [f"line {read} is read where it may be unbound" for read in unbound_reads(source)]
    if shape.repeated:
        problems.append(f"submitted more than once: {sorted(shape.repeated)}")
    for job in workflow.jobs:
        var = variables[job.id]
        if shape.task_of.get(var) != task_names[job.id]:
            problems.append(f"{job.id} ({job.worker}) is not submitted as {var}")
        elif (var in shape.fan_out) != job.fan_out:
            problems.append(f"{job.id} ({job.worker}) fan-out differs")
    expected = _graph_order(workflow, variables)
    found = _closure(shape.waits_for)
    for var in sorted(variables.values()):
        if expected.get(var, set()) != found.get(var, set()):
            problems.append(f"{var} waits for {sorted(found.get(var, set()))}, "
                            f"the graph says {sorted(expected.get(var, set()))}")
    if problems:
        raise ReadBackMismatch(f"workflow {workflow.name}: " + "; ".join(problems))


def _graph_order(workflow: Workflow, variables: dict[str, str]) -> dict[str, set[str]]:
    """job variable -> job variables it comes after, by the graph's edges (loops left out),
    plus the job that enqueued it: the flow runs a job only once its enqueuer ran."""
    predecessors: dict[str, set[str]] = defaultdict(set)
    for edge in workflow.edges:
        if not edge.loop:
            predecessors[edge.target].add(edge.source)
    jobs = {job.id for job in workflow.jobs}
    for job in workflow.jobs:
        if job.spawned_by in jobs:
            predecessors[job.id].add(job.spawned_by)
    result: dict[str, set[str]] = {}
    for job in workflow.jobs:
        seen: set[str] = set()
        queue = list(predecessors[job.id])
        while queue:
            node = queue.pop()
            if node not in seen:
                seen.add(node)
                queue.extend(predecessors[node])
        result[variables[job.id]] = {variables[n] for n in seen if n in variables}
    return result


def _closure(direct: dict[str, set[str]]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for var in direct:
        seen: set[str] = set()
        queue = list(direct[var])
        while queue:
            node = queue.pop()
            if node not in seen:
                seen.add(node)
                queue.extend(direct.get(node, ()))
        result[var] = seen
    return result


def _decorator_name(func: cst.FunctionDef) -> str | None:
    for decorator in func.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        if isinstance(target, cst.Name):
            return target.value
    return None


def _task_names(module: cst.Module) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in module.body:
        if isinstance(node, cst.FunctionDef) and _decorator_name(node) == "task":
            call = node.decorators[0].decorator
            assert isinstance(call, cst.Call)
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "name":
                    names[node.name.value] = ast.literal_eval(module.code_for_node(arg.value))
    return names


class _Reader:
    """Walks the flow body in program order, tracking what each batch holds so far."""

    def __init__(self, module: cst.Module, tasks: dict[str, str], shape: FlowShape) -> None:
        self.module = module
        self.tasks = tasks
        self.shape = shape
        self.parent: dict[str, str | None] = {}
        #: batch -> (job variable, callback block that submitted it), its children's too
        self.members: dict[str, list[tuple[str, str]]] = defaultdict(list)
        #: status variable -> the batch it reports on
        self.status_of: dict[str, str] = {}
        #: a list a callback block names (what its work waits for) -> the jobs it holds,
        #: as the block saw them where it made the list
        self.wait_lists: dict[str, set[str]] = {}
        #: the callback block being read ("" for the flow body itself)
        self.current = ""
        #: callback block -> the blocks whose jobs are all submitted when it runs
        self.sees: dict[str, set[str]] = {"": {""}}
        #: inside a function run once per item: every job there is one of many
        self.per_item = 0

    def block(self, body: object, guards: set[str]) -> None:
        for statement in body:  # type: ignore[attr-defined]
            if isinstance(statement, cst.If):
                extra = self._guard_deps(statement.test)
                self.block(statement.body.body, guards | extra)
            elif isinstance(statement, cst.FunctionDef) and statement.name.value in _each_calls(body):
                self.per_item += 1
                self.block(statement.body.body, guards)
                self.per_item -= 1
            elif isinstance(statement, cst.FunctionDef):
                self._callback_block(statement, guards)
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        self._assign(small.targets[0].target, small.value, guards)

    def _callback_block(self, func: cst.FunctionDef, guards: set[str]) -> None:
        name = func.name.value
        after = _callback_after(func)
        if after is None:
            raise ReadBackMismatch(f"nested function {name} is not a `@run.callback` block: it never runs")
        if name in self.sees:
            raise ReadBackMismatch(f"callback block {name} is defined twice")
        sees = {name} | self.sees[self.current]
        for need in after:
            if need not in self.sees:
                raise ReadBackMismatch(f"callback block {name} waits for {need}, defined nowhere before it")
            sees |= self.sees[need]
        self.sees[name] = sees
        outer, self.current = self.current, name
        self.block(func.body.body, guards)
        self.current = outer

    def _visible(self, batch: str, also: tuple[str, ...] = ()) -> set[str]:
        """The jobs of `batch` submitted by the time the current block runs, and those the
        blocks named in `also` submit (a death watch waits for them as they come)."""
        sees = set(self.sees[self.current])
        for name in also:
            if name not in self.sees:
                raise ReadBackMismatch(f"{self.current} watches jobs of {name}, defined nowhere before it")
            sees |= self.sees[name]
        return {var for var, block in self.members[batch] if block in sees}

    def _assign(self, target: cst.BaseAssignTargetExpression, value: cst.BaseExpression,
                guards: set[str]) -> None:
        if isinstance(target, cst.Name) and isinstance(value, cst.List):
            try:
                self.wait_lists[target.value] = self._wait_deps(value)
            except ReadBackMismatch:  # a list of values (`rows = [1, 2]`), not of futures
                self.wait_lists.pop(target.value, None)
        if not isinstance(target, cst.Name) or not isinstance(value, cst.Call):
            return
        name = target.value
        method, holder = _method_call(value)
        if method in ("batch", "child"):
            self.parent[name] = holder if method == "child" else None
        elif method == "status" and holder is not None:
            self.status_of[name] = holder
        elif method == "add" and holder is not None and value.args:
            self._job(name, holder, value.args[0].value, guards)

    def _job(self, var: str, holder: str, submitted: cst.BaseExpression, guards: set[str]) -> None:
        call, fan_out = _submission(submitted)
        if call is None:
            return
        task_method, task = _method_call(call)
        if var in self.shape.task_of:
            self.shape.repeated.add(var)
        self.shape.task_of[var] = self.tasks.get(task or "", f"<unknown task {task}>")
        if fan_out or task_method == "map" or self.per_item:
            self.shape.fan_out.add(var)
        deps = set(guards)
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "wait_for":
                deps |= self._wait_deps(arg.value)
        self.shape.waits_for[var] = deps
        # a job belongs to its batch and, for callbacks waiting on an ancestor, to all above it
        batch: str | None = holder
        while batch is not None and batch in self.parent:
            self.members[batch].append((var, self.current))
            batch = self.parent[batch]

    def _wait_deps(self, value: cst.BaseExpression) -> set[str]:
        """`b.succeeded()`, `b.finished()`, a named list of them, or a list of job variables
        and starred ones."""
        if isinstance(value, cst.Name) and value.value in self.wait_lists:
            return set(self.wait_lists[value.value])
        if isinstance(value, cst.Call):
            method, holder = _method_call(value)
            if method in ("succeeded", "finished") and holder is not None:
                return self._visible(holder)
        if isinstance(value, cst.List):
            found: set[str] = set()
            for element in value.elements:
                if isinstance(element, cst.StarredElement):
                    found |= self._wait_deps(element.value)
                elif isinstance(element.value, cst.Name) and element.value.value in self.shape.task_of:
                    found.add(element.value.value)
                else:
                    raise ReadBackMismatch(f"unexpected wait_for: {self.module.code_for_node(value)}")
            return found
        raise ReadBackMismatch(f"unexpected wait_for: {self.module.code_for_node(value)}")

    def _guard_deps(self, test: cst.BaseExpression) -> set[str]:
        found: set[str] = set()
        for node in _walk(test):
            if isinstance(node, cst.Call):
                method, holder = _method_call(node)
                if method == "died" and holder is not None:
                    found |= self._visible(holder, self._added_by(node))
            if isinstance(node, cst.Name) and node.value in self.status_of:
                found |= self._visible(self.status_of[node.value])
        return found

    @staticmethod
    def _added_by(died: cst.Call) -> tuple[str, ...]:
        """The block names of `batch.died(added_by=[...])`."""
        names: list[str] = []
        for arg in died.args:
            if arg.keyword is None or arg.keyword.value != "added_by":
                raise ReadBackMismatch("unexpected argument of died()")
            names += _string_list(arg.value, "`added_by` of died()")
        return tuple(names)


def _each_calls(body: object) -> set[str]:
    """The functions `run.each(items, function)` calls in `body`."""
    found: set[str] = set()
    for statement in body:  # type: ignore[attr-defined]
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            call = small.value if isinstance(small, cst.Expr) else None
            if (isinstance(call, cst.Call) and _method_call(call) == ("each", "run") and len(call.args) == 2
                    and isinstance(call.args[1].value, cst.Name)):
                found.add(call.args[1].value.value)
    return found


def _string_list(value: cst.BaseExpression, what: str) -> list[str]:
    if not isinstance(value, cst.List):
        raise ReadBackMismatch(f"unexpected {what}")
    names: list[str] = []
    for element in value.elements:
        if not isinstance(element.value, cst.SimpleString):
            raise ReadBackMismatch(f"unexpected {what}")
        names.append(ast.literal_eval(element.value.value))
    return names


def _callback_after(func: cst.FunctionDef) -> list[str] | None:
    """The `after` names of a `@run.callback(...)` block; None for any other function."""
    call = func.decorators[0].decorator if len(func.decorators) == 1 else None
    if not isinstance(call, cst.Call) or _method_call(call) != ("callback", "run"):
        return None
    names: list[str] = []
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in ("target", "batch", "on"):
            continue  # what a rehearsal shows; it orders nothing
        if arg.keyword is None or arg.keyword.value != "after":
            raise ReadBackMismatch(f"unexpected @run.callback argument in {func.name.value}")
        names += _string_list(arg.value, f"`after` of {func.name.value}")
    return names


def _method_call(call: cst.Call) -> tuple[str | None, str | None]:
    """(`method`, `holder`) for `holder.method(...)`."""
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return func.attr.value, func.value.value
    return None, None


def _submission(node: cst.BaseExpression) -> tuple[cst.Call | None, bool]:
    """The `task.submit(...)`/`task.map(...)` call, and whether it is a comprehension."""
    if isinstance(node, cst.Call):
        return node, False
    if isinstance(node, cst.ListComp) and isinstance(node.elt, cst.Call):
        return node.elt, True
    return None, False


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    found = [node]
    for child in node.children:
        found += _walk(child)
    return found
