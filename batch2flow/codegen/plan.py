"""What one generated flow module holds, before it is laid out by the template.

Statement code in a plan is already Python built from safe pieces (names from
`names.to_var`, literals from `names.to_python` or the Ruby translator); the
template only arranges it.
"""

from __future__ import annotations

from dataclasses import dataclass

from batch2flow.codegen.names import to_python
from batch2flow.diagnostics import Diagnostic


@dataclass(frozen=True)
class TaskPlan:
    #: Python function name
    function: str
    #: Prefect task name: the Ruby worker class
    worker: str
    #: parameter declarations, e.g. ("account_id", "amount=None", "*rest")
    params: tuple[str, ...]
    #: the expression passing them on as Sidekiq's argument list
    args_list: str
    tags: tuple[str, ...]
    retries: int
    queue: str | None
    #: the worker's perform only built batches and enqueued jobs: now done by the flow
    orchestration: bool
    #: where the worker is defined, "" when it is not in the scanned tree
    source: str
    #: Python expression for the worker class name sent to the bridge
    worker_expr: str
    #: `--tasks stub`: the Ruby `perform` to port, shown in the task's docstring
    ruby_perform: str | None = None
    #: an orchestration task whose perform also did other work: that Ruby (file:line and
    #: source per statement), which the flow does not run, shown in the task's docstring
    not_run: str | None = None


@dataclass(frozen=True)
class Line:
    code: str
    #: a short comment after the code (a Ruby file:line, mostly)
    comment: str = ""


@dataclass(frozen=True)
class Comment:
    text: str


@dataclass(frozen=True)
class Guard:
    """`if test:` around the statements Sidekiq only runs under a condition."""

    test: str
    body: tuple[Statement, ...]
    comment: str = ""


@dataclass(frozen=True)
class CallbackBlock:
    """A callback's work, as a nested function the flow runs in a thread of its own
    (`@run.callback`) once the blocks named in `after` have submitted their jobs."""

    function: str
    #: function names of the callback blocks it needs, each after its registrar
    after: tuple[str, ...]
    body: tuple[Statement, ...]
    #: the Ruby callback (`Klass#method`), and the batch variable and event it fires on: a
    #: rehearsal's timeline shows when Sidekiq would have run it
    target: str = ""
    batch: str = ""
    event: str = ""


@dataclass(frozen=True)
class ItemFunction:
    """The code of a Ruby loop that builds one batch per item, as a function the flow
    calls once per item (`run.each`): each call has its own batch and callback blocks."""

    function: str
    #: the Python name of the item (the Ruby block's parameter)
    item: str
    body: tuple[Statement, ...]


Statement = Line | Comment | Guard | CallbackBlock | ItemFunction


@dataclass(frozen=True)
class ConditionStub:
    """A Ruby condition the translator could not handle, kept as a named function."""

    function: str
    #: the Python parameters it receives (the callback status, when there is one)
    params: tuple[str, ...]
    ruby: str
    where: str


@dataclass(frozen=True)
class FlowPlan:
    workflow: str
    function: str
    #: the flow's parameter names, in the Ruby starter's order
    params: tuple[str, ...]
    description: str
    starter: str
    entry: str
    tasks: tuple[TaskPlan, ...]
    body: tuple[Statement, ...]
    stubs: tuple[ConditionStub, ...]
    diagnostics: tuple[Diagnostic, ...]
    #: jobs and callbacks of the graph, and how many were translated without a stub
    found: int
    converted: int
    #: the flow starts other workflows (and so defines the task that does it)
    starts_workflows: bool = False
    #: job id -> the variable its future is held in, and the task name it runs
    variables: tuple[tuple[str, str], ...] = ()
    task_names: tuple[tuple[str, str], ...] = ()
    #: parameter -> its default, the Ruby starter's literal one (a trailing run of them:
    #: Python has no default before a required parameter); the others are required
    defaults: tuple[tuple[str, object], ...] = ()

    @property
    def signature(self) -> tuple[str, ...]:
        """The flow's parameter declarations: `source_id`, `limit: int = 100`, `tag=None`."""
        defaults = dict(self.defaults)
        return tuple(_declaration(p, defaults[p]) if p in defaults else p for p in self.params)


def _declaration(name: str, default: object) -> str:
    if default is None:
        return f"{name}=None"
    return f"{name}: {type(default).__name__} = {to_python(default)}"
