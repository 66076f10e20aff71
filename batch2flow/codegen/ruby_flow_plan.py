"""A workflow as a plan-driven flow: one handler per piece of Ruby that plans work.

The graph gives the shape: which call sites each piece of Ruby (the starter, a job's
`perform`, a callback method) enqueues workers or registers callbacks at. Each handler
claims the plan rows of those sites and submits them; the values (arguments, options,
which branch, how many items) are what Ruby computed, so nothing here translates Ruby.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from batch2flow import diagnostics as diag
from batch2flow.codegen.names import to_var
from batch2flow.diagnostics import Diagnostic
from batch2flow.ir import Span, Worker, Workflow


@dataclass(frozen=True, kw_only=True)
class Claim:
    """The rows of one call site a handler submits (jobs) or registers (callbacks)."""

    #: job | callback
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
    tasks: tuple[RubyTask, ...]
    handlers: tuple[Handler, ...]
    #: the starter's handler
    first: str


def plan_ruby_flow(workflow: Workflow, workers: dict[str, Worker]) -> RubyFlow:
    names = _handler_names(workflow)
    tasks: dict[str, RubyTask] = {}
    handlers: list[Handler] = []
    for actor, function in names.items():
        claims = _claims(workflow, actor, names, workers, tasks)
        handlers.append(Handler(function=function, doc=_doc(workflow, actor), claims=claims))
    return RubyFlow(
        workflow=workflow.name, function=to_var(workflow.name), starter=workflow.starter,
        entry=str(workflow.entry), params=tuple(to_var(p) for p in workflow.params),
        tasks=tuple(sorted(tasks.values(), key=lambda t: t.variable)), handlers=tuple(handlers),
        first=names[None],
    )


def _handler_names(workflow: Workflow) -> dict[str | None, str]:
    """Actor (None for the starter, else a job or callback id) -> its handler's name; only
    actors the graph sees planning something get one."""
    planners = {j.spawned_by for j in workflow.jobs} | {c.registered_by for c in workflow.callbacks}
    names: dict[str | None, str] = {None: "after_start"}
    for job in workflow.jobs:
        if job.id in planners:
            names[job.id] = f"after_{to_var(job.worker.split('::')[-1])}_{job.id}"
    for callback in workflow.callbacks:
        if callback.id in planners:
            names[callback.id] = f"after_{callback.event}_{callback.id}"
    return names


def _claims(workflow: Workflow, actor: str | None, names: dict[str | None, str],
            workers: dict[str, Worker], tasks: dict[str, RubyTask]) -> tuple[Claim, ...]:
    found: dict[tuple[str, str | None, str, int], Claim] = {}
    for job in workflow.jobs:
        if job.spawned_by != actor:
            continue
        worker = None if job.placeholder else job.worker
        task = _task(job.worker, workers, tasks) if worker else "ruby_job"
        key = ("job", worker, job.span.file, job.span.line)
        found.setdefault(key, Claim(kind="job", worker=worker, file=job.span.file, line=job.span.line,
                                    task=task, then=names.get(job.id),
                                    comment=f"{job.worker}.{job.via}, {job.span}"))
    for callback in workflow.callbacks:
        if callback.registered_by != actor:
            continue
        key = ("callback", None, callback.span.file, callback.span.line)
        found.setdefault(key, Claim(kind="callback", worker=None, file=callback.span.file,
                                    line=callback.span.line, task=None, then=names.get(callback.id),
                                    comment=f"on :{callback.event} -> {callback.target}, {callback.span}"))
    return tuple(found.values())


def _task(worker: str, workers: dict[str, Worker], tasks: dict[str, RubyTask]) -> str:
    if worker not in tasks:
        queue = workers[worker].queue if worker in workers else None
        tasks[worker] = RubyTask(variable=to_var(worker), worker=worker,
                                 tags=("sidekiq", f"queue:{queue or 'default'}"))
    return tasks[worker].variable


def _doc(workflow: Workflow, actor: str | None) -> str:
    if actor is None:
        return f"What {workflow.starter} planned ({workflow.entry})."
    job = next((j for j in workflow.jobs if j.id == actor), None)
    if job is not None:
        return f"What {job.worker}#perform planned (enqueued at {job.span})."
    callback = next(c for c in workflow.callbacks if c.id == actor)
    where: Span = callback.method_span or callback.span
    return f"What the :{callback.event} callback {callback.target} planned ({where})."


def ruby_flow_diagnostics(workflow: Workflow) -> list[Diagnostic]:
    """What a `--tasks ruby` flow of `workflow` cannot do yet, said before it runs."""
    found = []
    starter, entry = workflow.starter, workflow.entry
    owner = re.split(r"[#.]", starter, maxsplit=1)[0]
    if not re.fullmatch(r"[A-Z]\w*(::[A-Z]\w*)*[#.]\w+[!?]?", starter) or owner.endswith("Controller"):
        found.append(_diagnostic(diag.STARTER_NOT_CALLABLE, entry,
                                 f"{starter} starts workflow {workflow.name}, but the bridge runs a "
                                 "starter as `Klass.method` or `Klass.new.method` in a Sidekiq process: "
                                 "a controller action, rake task or script cannot run there, so the "
                                 "flow's first call fails. Move the batch building into a class method "
                                 "and call that"))
    for start in workflow.starts:
        found.append(_diagnostic(diag.START_NOT_FOLLOWED, start.span,
                                 f"this Ruby starts workflow {start.workflow}; its batches come back in the "
                                 "plan at call sites this flow does not claim, so the run stops there "
                                 "(UnplannedWork) instead of running it"))
    return found


def _diagnostic(code: diag.Code, span: Span, message: str) -> Diagnostic:
    return Diagnostic(span.file, span.line, span.col, code.code, code.severity, message)
