"""One Prefect task per worker class a workflow enqueues."""

from __future__ import annotations

import textwrap
from dataclasses import replace

from batch2flow.codegen.names import NameTable, param_names, to_python, to_var
from batch2flow.codegen.other_work import with_not_run
from batch2flow.codegen.plan import TaskPlan
from batch2flow.ir import Job, Worker, Workflow

#: Sidekiq retries a job 25 times unless `sidekiq_options retry:` says otherwise
SIDEKIQ_DEFAULT_RETRIES = 25


def orchestrators(workflow: Workflow) -> set[str]:
    """Workers whose perform enqueued, created or reopened something: that part is the flow now."""
    actors = {job.spawned_by for job in workflow.jobs}
    actors |= {batch.created_by for batch in workflow.batches}
    actors |= {cb.registered_by for cb in workflow.callbacks}
    actors |= {start.spawned_by for start in workflow.starts}
    return {job.worker for job in workflow.jobs if job.id in actors}


def plan_tasks(workflow: Workflow, workers: dict[str, Worker], names: NameTable,
               stub_tasks: bool = False) -> dict[str, TaskPlan]:
    """Task plans keyed by job id (jobs of one worker share a task; placeholders get their own).
    With `stub_tasks`, a worker's task holds its Ruby `perform` to port by hand."""
    orchestrating = orchestrators(workflow)
    by_worker: dict[str, TaskPlan] = {}
    by_job: dict[str, TaskPlan] = {}
    jobs_of: dict[str, list[Job]] = {}  # one pass, not one a worker: a chain has a worker a step
    for job in workflow.jobs:
        jobs_of.setdefault(job.worker, []).append(job)
    for job in workflow.jobs:
        if job.placeholder:
            by_job[job.id] = _placeholder_task(job, names)
            continue
        if job.worker not in by_worker:
            worker = workers.get(job.worker)
            task = _worker_task(job.worker, worker, job.worker in orchestrating, names)
            task = with_not_run(task, jobs_of[job.worker])
            if stub_tasks and not task.orchestration and worker is not None:
                ruby = textwrap.indent(worker.perform_source or "", "    ")
                task = replace(task, ruby_perform=ruby)
            by_worker[job.worker] = task
        by_job[job.id] = by_worker[job.worker]
    return by_job


def _worker_task(name: str, worker: Worker | None, orchestration: bool, names: NameTable) -> TaskPlan:
    params, args_list = _signature(worker)
    queue = worker.queue if worker else None
    return TaskPlan(
        function=names.name(f"task:{name}", to_var(name)),
        worker=name,
        params=params,
        args_list=args_list,
        tags=("sidekiq", f"queue:{queue or 'default'}"),
        retries=_retries(worker),
        queue=queue,
        orchestration=orchestration,
        source=f"{worker.span.file}:{worker.span.line}" if worker else "",
        worker_expr=to_python(name),
    )


def _placeholder_task(job: Job, names: NameTable) -> TaskPlan:
    where = f"{job.span.file}:{job.span.line}"
    return TaskPlan(
        function=names.name(f"task:{job.id}", f"dynamic_worker_{job.id}"),
        worker=f"dynamic worker ({where})",
        params=("*args",),
        args_list="list(args)",
        tags=("sidekiq", "queue:default"),
        retries=SIDEKIQ_DEFAULT_RETRIES,
        queue=None,
        orchestration=False,
        source="",
        worker_expr=f"ruby_value({to_python(job.worker)}, {to_python(where)})",
    )


def _signature(worker: Worker | None) -> tuple[tuple[str, ...], str]:
    """Python parameters for `perform`'s positional ones (Sidekiq arguments are a JSON
    list, so keyword and block parameters cannot be passed and are left out)."""
    if worker is None or len(worker.perform_kinds) != len(worker.perform_params):
        return ("*args",), "list(args)"
    params: list[str] = []
    passed: list[str] = []
    optional = False
    # `keywords` is the trailing hash's parameter below
    names = param_names(worker.perform_params, taken={"keywords"})
    for var, kind in zip(names, worker.perform_kinds, strict=True):
        if kind == "rest":
            params.append(f"*{var}")
            passed.append(f"*{var}")
        elif kind in ("req", "opt"):
            # Ruby allows a required parameter after an optional one; Python does not.
            # An omitted one is left out of the job's arguments, so Ruby's default applies.
            optional = optional or kind == "opt"
            params.append(f"{var}=OMITTED" if optional else var)
            passed.append(var)
    has_rest = any(kind == "rest" for kind in worker.perform_kinds)
    if not has_rest and any(kind.startswith("key") for kind in worker.perform_kinds):
        # keyword arguments reach a job as a trailing hash in its argument list
        params.append("*keywords")
        passed.append("*keywords")
    return tuple(params), "[" + ", ".join(passed) + "]"


def _retries(worker: Worker | None) -> int:
    if worker is None or worker.retry is None or worker.retry is True:
        return SIDEKIQ_DEFAULT_RETRIES
    if worker.retry is False:
        return 0
    if worker.kind == "active_job":
        # `retry_on ..., attempts: N` counts the first run too
        return max(worker.retry - 1, 0)
    return worker.retry
