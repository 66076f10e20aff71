"""A workflow as a plan-driven flow: one handler per piece of Ruby that plans work.

The graph gives the shape: which call sites each piece of Ruby (the starter, a job's
`perform`, a callback method) enqueues workers or registers callbacks at. Each handler
claims the plan rows of those sites and submits them; the values (arguments, options,
which branch, how many items) are what Ruby computed, so nothing here translates Ruby.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from batch2flow import diagnostics as diag
from batch2flow.codegen.names import NameTable, param_names, to_var
from batch2flow.diagnostics import Diagnostic
from batch2flow.ir import Callback, Job, Span, Start, Worker, Workflow


@dataclass(frozen=True, kw_only=True)
class Claim:
    """The rows of one call site a handler submits (jobs), registers (callbacks) or hands
    to the starter handler of the workflow the Ruby there starts (start)."""

    #: job | callback | start
    kind: str
    #: the worker class of a job site (None for a callback, or a worker not known statically)
    worker: str | None
    file: str
    line: int
    #: the task that runs a job site's jobs
    task: str | None
    #: the handler of what each of those rows plans in turn, None when the graph says nothing
    then: str | None
    comment: str


@dataclass(frozen=True, kw_only=True)
class Handler:
    function: str
    doc: str
    claims: tuple[Claim, ...]


@dataclass(frozen=True, kw_only=True)
class RubyTask:
    variable: str
    worker: str
    tags: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class RubyFlow:
    workflow: str
    function: str
    starter: str
    entry: str
    params: tuple[str, ...]
    #: how the flow hands its parameters to the Ruby starter: the positional arguments
    #: (`*name` for a splat) and the keyword ones (`**name` for a double splat)
    args: tuple[str, ...]
    kwargs: tuple[tuple[str, str], ...]
    #: parameter -> the Ruby starter's literal default, for the trailing run of them
    defaults: tuple[tuple[str, object], ...]
    tasks: tuple[RubyTask, ...]
    handlers: tuple[Handler, ...]
    #: the starter's handler
    first: str
    #: the starter runs where the bridge cannot call it (a controller action, a rake task, a
    #: script): the app records its plan with `Batch2flow.start_flow`, which the flow takes
    #: as its one parameter, `plan`
    recorded: bool = False


#: names the module binds (imports) or its handlers use as locals: no task or handler takes one
_TAKEN = frozenset({"annotations", "cancel_not_started", "Plan", "PlanRun", "ruby_callback", "ruby_job",
                    "ruby_starter", "flow", "run", "plan", "job", "callback"})


def plan_ruby_flow(workflow: Workflow, graph: dict[str, Workflow], workers: dict[str, Worker],
                   function: str, defaults: tuple[tuple[str, object], ...]) -> RubyFlow:
    """`graph`: every workflow by name, for those this one starts. `function` and `defaults`:
    the flow function's name (the deployment's entrypoint names it) and its parameters'
    literal defaults, the same as the translated flow's."""
    params = param_names(workflow.params)
    names = NameTable(set(_TAKEN) | set(params) | {function})
    actors = _actors(workflow, graph)
    # grouped in one pass, by the method's name: an actor's hash is its whole workflow's
    running_of: dict[str, list[_Actor]] = {}
    for actor in actors:
        running_of.setdefault(_method(actor), []).append(actor)
    planned = {a.workflow.name: _planned_by(a.workflow) for a in actors if a.node is None}
    # the flow calls the starter's handler whether or not the graph sees it planning
    first = _method(_Actor(workflow, None))
    planning = _planning(actors, planned, graph) | {first}
    handler_of = {method: names.name(method, _handler_name(method, workflow)) for method in running_of
                  if method in planning}
    tasks: dict[str, RubyTask] = {}
    handlers = []
    for method, function_name in handler_of.items():
        running = running_of[method]
        claims = _claims(running, planned, graph, handler_of, workers, tasks, names)
        handlers.append(Handler(function=function_name, doc=_doc(running[0], workers), claims=claims))
    recorded = not starter_callable(workflow)
    if recorded:  # the Ruby's own arguments stay in the app, which records the plan
        params, defaults = (), ()
    return RubyFlow(
        workflow=workflow.name, function=function, starter=workflow.starter, recorded=recorded,
        entry=str(workflow.entry), params=params, defaults=defaults,
        **_arguments(workflow, params) if not recorded else {"args": (), "kwargs": ()},
        tasks=tuple(sorted(tasks.values(), key=lambda t: t.variable)), handlers=tuple(handlers),
        first=handler_of[first],
    )


def _arguments(workflow: Workflow, params: tuple[str, ...]) -> dict[str, Any]:
    """The starter's parameters as Ruby takes them: a keyword parameter goes by name, a
    splat spreads its list and a double splat its hash; a block cannot come through JSON."""
    args: list[str] = []
    kwargs: list[tuple[str, str]] = []
    kinds = workflow.param_kinds or ("req",) * len(workflow.params)
    for ruby, python, kind in zip(workflow.params, params, kinds, strict=True):
        if kind in ("req", "opt"):
            args.append(python)
        elif kind == "rest":
            args.append(f"*{python}")
        elif kind in ("key", "keyreq"):
            kwargs.append((ruby, python))
        elif kind == "keyrest":
            kwargs.append(("**", python))
    return {"args": tuple(args), "kwargs": tuple(kwargs)}


@dataclass(frozen=True)
class _Actor:
    """A piece of Ruby that runs in a workflow: its starter (node None), a job or a callback."""

    workflow: Workflow
    node: Job | Callback | None


def _actors(workflow: Workflow, graph: dict[str, Workflow]) -> list[_Actor]:
    """The actors of `workflow` and of every workflow its Ruby starts, in the graph's order.
    A started workflow's starter runs inside the Ruby that starts it, so what it plans comes
    back in that Ruby's plan: the flow follows it there, in the same run."""
    found: list[_Actor] = []
    todo, seen = [workflow], {workflow.name}
    while todo:
        wf = todo.pop(0)
        found += [_Actor(wf, None), *(_Actor(wf, j) for j in wf.jobs), *(_Actor(wf, c) for c in wf.callbacks)]
        for start in wf.starts:
            if start.workflow in graph and start.workflow not in seen:
                seen.add(start.workflow)
                todo.append(graph[start.workflow])
    return found


#: what one actor plans: the jobs it enqueues, the callbacks it registers, the workflows it starts
_Planned = list[Job | Callback | Start]


def _planned_by(workflow: Workflow) -> dict[str | None, _Planned]:
    """What each actor of `workflow` plans, by the actor's id (None: the starter), jobs
    first, then callbacks, then starts, each in the graph's order: one pass, where asking
    each actor in turn would read the whole workflow once per actor."""
    found: dict[str | None, _Planned] = {}
    every: _Planned = [*workflow.jobs, *workflow.callbacks, *workflow.starts]
    for node in every:
        planner = node.registered_by if isinstance(node, Callback) else node.spawned_by
        found.setdefault(planner, []).append(node)
    return found


def _planning(actors: list[_Actor], planned: dict[str, dict[str | None, _Planned]],
              graph: dict[str, Workflow]) -> set[str]:
    """The methods the graph sees enqueueing, registering callbacks or starting a workflow."""
    found = set()
    for workflow in {a.workflow.name: a.workflow for a in actors}.values():
        by_planner = planned[workflow.name]
        listed: list[Job | Callback] = [*workflow.jobs, *workflow.callbacks]
        nodes = {n.id: n for n in listed}
        for planner, what in by_planner.items():
            if any(not isinstance(n, Start) or n.workflow in graph for n in what):
                found.add(_method(_Actor(workflow, None if planner is None else nodes[planner])))
    return found


def _method(actor: _Actor) -> str:
    """The piece of Ruby an actor runs. Actors running the same method share one handler:
    a worker enqueued in two places runs one `perform`, and a callback that registers itself
    again (a paging loop, which the graph cuts after one round) runs the same method as the
    first registration, so it plans at the same sites. A workflow started by a worker's
    `perform` runs that worker's method."""
    node = actor.node
    if node is None:
        worker = _starting_worker(actor.workflow)
        return f"job {worker}" if worker else f"start {actor.workflow.name}"
    if node.placeholder:
        return f"node {actor.workflow.name} {node.id}"
    return f"job {node.worker}" if isinstance(node, Job) else f"callback {node.target}"


def _starting_worker(workflow: Workflow) -> str | None:
    """The worker class whose `perform` starts `workflow`: Ruby starts it by enqueueing that
    worker, which the recorder records as a job of the Ruby that enqueued it."""
    owner, _, method = workflow.starter.rpartition("#")
    return owner if method == "perform" and owner else None


def _handler_name(method: str, workflow: Workflow) -> str:
    kind, _, name = method.partition(" ")
    if kind == "start":
        return "after_start" if name == workflow.name else f"after_start_{name}"
    if method == _method(_Actor(workflow, None)):
        return "after_start"
    if kind == "job":
        return f"after_{to_var(name.split('::')[-1])}"
    if kind == "callback":
        return f"after_{to_var(name.rsplit('#', 1)[-1])}"
    return f"after_{to_var(name)}"


def _claims(running: list[_Actor], planned: dict[str, dict[str | None, _Planned]], graph: dict[str, Workflow],
            handler_of: dict[str, str], workers: dict[str, Worker], tasks: dict[str, RubyTask],
            names: NameTable) -> tuple[Claim, ...]:
    found: dict[tuple[str, str | None, str, int], Claim] = {}
    for actor in running:
        wf = actor.workflow
        for node in planned[wf.name].get(actor.node.id if actor.node else None, []):
            if isinstance(node, Job):
                worker = None if node.placeholder else node.worker
                task = _task(node.worker, workers, tasks, names) if worker else "ruby_job"
                found.setdefault(("job", worker, node.span.file, node.span.line), Claim(
                    kind="job", worker=worker, file=node.span.file, line=node.span.line, task=task,
                    then=handler_of.get(_method(_Actor(wf, node))),
                    comment=f"{node.worker}.{node.via}, {node.span}"))
            elif isinstance(node, Callback):
                found.setdefault(("callback", None, node.span.file, node.span.line), Claim(
                    kind="callback", worker=None, file=node.span.file, line=node.span.line, task=None,
                    then=handler_of.get(_method(_Actor(wf, node))),
                    comment=f"on :{node.event} -> {node.target}, {node.span}"))
            elif node.workflow in graph:
                _start_claim(node, graph[node.workflow], handler_of, workers, tasks, names, found)
    return tuple(found.values())


def _start_claim(start: Start, started: Workflow, handler_of: dict[str, str], workers: dict[str, Worker],
                 tasks: dict[str, RubyTask], names: NameTable,
                 found: dict[tuple[str, str | None, str, int], Claim]) -> None:
    then = handler_of.get(_method(_Actor(started, None)))
    worker = _starting_worker(started)
    if worker:
        found.setdefault(("job", worker, start.span.file, start.span.line), Claim(
            kind="job", worker=worker, file=start.span.file, line=start.span.line,
            task=_task(worker, workers, tasks, names), then=then,
            comment=f"{worker}.perform_async, starts workflow {start.workflow}, {start.span}"))
    elif then:
        found.setdefault(("start", start.workflow, start.span.file, start.span.line), Claim(
            kind="start", worker=None, file=start.span.file, line=start.span.line, task=None,
            then=then, comment=f"starts workflow {start.workflow} ({started.starter}), {start.span}"))


def _task(worker: str, workers: dict[str, Worker], tasks: dict[str, RubyTask], names: NameTable) -> str:
    if worker not in tasks:
        queue = workers[worker].queue if worker in workers else None
        tasks[worker] = RubyTask(variable=names.name(f"task {worker}", to_var(worker)), worker=worker,
                                 tags=("sidekiq", f"queue:{queue or 'default'}"))
    return tasks[worker].variable


def _doc(actor: _Actor, workers: dict[str, Worker]) -> str:
    node = actor.node
    if node is None:
        return f"What {actor.workflow.starter} planned ({actor.workflow.entry})."
    if isinstance(node, Job):
        where = f"{workers[node.worker].span}" if node.worker in workers and not node.placeholder \
            else f"enqueued at {node.span}"
        return f"What {node.worker}#perform planned ({where})."
    return f"What the :{node.event} callback {node.target} planned ({node.method_span or node.span})."


def ruby_flow_diagnostics(workflow: Workflow, workers: dict[str, Worker]) -> list[Diagnostic]:
    """What the flow of `workflow` cannot do, said before it runs."""
    found = []
    starter, entry = workflow.starter, workflow.entry
    if not starter_callable(workflow):
        found.append(_diagnostic(diag.STARTER_NOT_CALLABLE, entry,
                                 f"{starter} starts workflow {workflow.name} where the bridge cannot "
                                 "call it (a controller action, rake task or script, or a method of "
                                 "an object built with arguments): wrap the Ruby "
                                 f'that builds the batch in `Batch2flow.start_flow("{workflow.name}") '
                                 "do ... end`, which records its plan there and starts the flow run "
                                 "with it (MIGRATION.md)"))
    retried: dict[str, Job] = {}
    for job in workflow.jobs:
        worker = workers.get(job.worker)
        if worker is not None and worker.retry_on:
            retried.setdefault(job.worker, job)
    for name, job in retried.items():
        found.append(_diagnostic(diag.RETRY_ON_NOT_FOLLOWED, job.span,
                                 f"{name} uses ActiveJob's retry_on: a retry is a new job that the "
                                 "failed one pushes, which the flow did not plan, so the run fails "
                                 "there instead of waiting for it. For a job a flow "
                                 "runs, let Sidekiq retry it (sidekiq_options retry:, as a Sidekiq "
                                 "worker) and drop retry_on"))
    return found


def starter_callable(workflow: Workflow) -> bool:
    """The bridge can call the starter in a Sidekiq process: `Klass.method`, or
    `Klass#method` on `Klass.new` (a `new` that needs no argument), of a class that is
    not a controller (a controller action needs its request)."""
    starter = workflow.starter
    owner = re.split(r"[#.]", starter, maxsplit=1)[0]
    method_of_a_class = re.fullmatch(r"[A-Z]\w*(::[A-Z]\w*)*[#.]\w+[!?]?", starter)
    return bool(method_of_a_class) and not owner.endswith("Controller") and not workflow.constructor_args


def _diagnostic(code: diag.Code, span: Span, message: str) -> Diagnostic:
    return Diagnostic(span.file, span.line, span.col, code.code, code.severity, message)
