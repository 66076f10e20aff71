"""The two calls a generated task makes for a Ruby worker: run it, or note it is retired."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from batch2flow.runtime.arguments import sent_arguments
from batch2flow.runtime.errors import JobOutcomeUnknown, NotEnqueued, SidekiqJobFailed, SimulatedJobFailure
from batch2flow.runtime.rehearsal import Rehearsal, active_rehearsal

if TYPE_CHECKING:
    from batch2flow.runtime.keys import Call


def run_job(worker: str, args: list[object], *, queue: str | None = None) -> object:
    """Run one Sidekiq job through the bridge and return its result (None in a rehearsal).
    Trailing `OMITTED` arguments (optional Ruby parameters not passed) are not sent.

    Sidekiq retries the job as its `sidekiq_options` say; this waits until it succeeded
    or died. Each call of a flow run is enqueued once, whatever repeats it (see keys.py)."""
    current = active_rehearsal()
    if current is not None:
        _simulate(current, worker)
        return None
    from batch2flow.runtime.keys import found_again, job_call, lose_track

    sent = sent_arguments(args)
    call = job_call(worker, sent, queue)
    try:
        result = _through_bridge(worker, sent, queue, call)
    except JobOutcomeUnknown as error:
        lose_track(call, error)
        raise
    except SidekiqJobFailed:
        found_again(call)
        raise
    found_again(call)
    return result


def _through_bridge(worker: str, sent: list[object], queue: str | None, call: Call) -> object:
    from batch2flow.runtime.bridge import enqueue, wait_for
    from batch2flow.runtime.cancelling import flow_run_cancelling, remember
    from batch2flow.runtime.config import load_config
    from batch2flow.runtime.keys import refuse_if_lost

    refuse_if_lost(call, worker)
    if call.flow_run_id is not None and flow_run_cancelling(call.flow_run_id):
        raise NotEnqueued(f"{worker}: not enqueued, the flow run is being cancelled")
    config = load_config()
    log = run_logger()
    job = enqueue(config, worker, sent, queue, call)
    remember(call.flow_run_id, config, job.jid)
    if job.created:
        log.info("%s enqueued as jid %s; waiting for it", worker, job.jid)
    else:
        log.info("%s was enqueued before as jid %s (now %s); waiting for it", worker, job.jid, job.state)
    return wait_for(config, worker, job.jid, log)


def orchestration_step(worker: str) -> None:
    """Stand for a worker whose `perform` only built batches: the flow does that now."""
    current = active_rehearsal()
    if current is not None:
        # Simulated like any job so `--fail` can show what its callbacks would do.
        _simulate(current, worker)
        return
    run_logger().info(
        "%s only orchestrated other jobs; that now happens in this flow, so the Ruby worker "
        "is retired and nothing is sent to Sidekiq",
        worker,
    )


def run_logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """Prefect's run logger inside a run, so the line shows in the UI; else a plain one."""
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("batch2flow.runtime")


def _simulate(current: Rehearsal, worker: str) -> None:
    first, last = _attempt_position()
    flow = _flow_name()
    if first:
        current.emit(worker, "start", flow)
        # the job's time is spent once: retries of a simulated death follow at once
        time.sleep(current.seconds(worker))
    if worker in current.fail:
        # Only the attempt Prefect will not retry is the job's death.
        if last:
            current.emit(worker, "fail", flow)
        raise SimulatedJobFailure(worker, "rehearsal", "failed on purpose (rehearsal --fail)")
    current.emit(worker, "end", flow)


def _attempt_position() -> tuple[bool, bool]:
    """(first attempt, last attempt) of the task run we are in; both outside a task."""
    from prefect.context import TaskRunContext

    from batch2flow.runtime.retries import retry_job

    ctx = TaskRunContext.get()
    if ctx is None:
        return True, True
    # run_count is 1 on the first attempt and counts retries; task.retries excludes it.
    run_count = ctx.task_run.run_count
    # a generated task has no Prefect retries (one generated before has `retry_job`, which
    # retries no simulated death): the first attempt stands for the job dying after its
    # last Sidekiq retry, at no cost in time or API calls
    final = ctx.task.retry_condition_fn is retry_job or run_count > ctx.task.retries
    return run_count <= 1, final


def _flow_name() -> str | None:
    from prefect.runtime import flow_run

    name = flow_run.flow_name
    return name if isinstance(name, str) else None
