"""The idempotency key of one enqueue: one call of a flow run, whatever the attempt.

Prefect 3 gives a submitted task run a random `dynamic_key` and a new id in each
flow-run attempt, and the callback blocks submit from threads in no fixed order, so
neither names a call across a flow-run retry. What does is the job itself: the flow run
id, the worker, its queue and arguments, and which of the calls with exactly these
values it is (the first, the second, ...). A Prefect retry of the task run keeps its
key (remembered by task run id); a flow-run retry makes the same calls again and gets
the same keys, so the bridge answers them with the jobs of the first attempt.
Two calls with the same values are interchangeable jobs: which gets which key is moot.

The counts live in the flow run's process: right for Prefect's default thread-pool task
runner, where every task of the run executes there. A task runner that runs tasks in
other processes would count equal calls apart, and two of them would share one job.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from batch2flow.runtime.errors import NotEnqueued


@dataclass(frozen=True)
class Call:
    #: the Idempotency-Key header
    key: str
    #: the flow run's attempt (1 outside a flow run): a dead job is enqueued again only
    #: by a later attempt, never by a repeat within one
    run_attempt: int
    #: the flow run, when there is one (its state says whether it is being cancelled)
    flow_run_id: str | None


#: flow run attempts remembered at once; a process rarely runs more than one flow run
KEPT_ATTEMPTS = 256


@dataclass
class _Attempt:
    """What one attempt of one flow run has enqueued so far."""

    #: how many calls of each job digest it made
    counts: dict[str, int] = field(default_factory=dict)
    #: task run id -> its call, so a Prefect retry of the task run keeps its key
    calls: dict[str, Call] = field(default_factory=dict)
    #: key -> why the attempt lost track of that call's job
    lost: dict[str, str] = field(default_factory=dict)


_lock = threading.Lock()
_attempts: OrderedDict[tuple[str, int], _Attempt] = OrderedDict()


def job_call(worker: str, args: list[object], queue: str | None) -> Call:
    """The key of this call of `worker`; a fresh one outside a task run."""
    digest = _digest(worker, args, queue)
    from prefect.context import FlowRunContext, TaskRunContext

    task_ctx = TaskRunContext.get()
    if task_ctx is None or task_ctx.task_run.flow_run_id is None:
        return Call(f"b2f-{uuid.uuid4().hex}", 1, None)
    flow_ctx = FlowRunContext.get()
    count = flow_ctx.flow_run.run_count if flow_ctx is not None and flow_ctx.flow_run else 1
    flow_run_id, task_run_id = str(task_ctx.task_run.flow_run_id), str(task_ctx.task_run.id)
    with _lock:
        attempt = _attempt(flow_run_id, max(count, 1))
        known = attempt.calls.get(task_run_id)
        if known is not None:
            return known
        index = attempt.counts.get(digest, 0)
        attempt.counts[digest] = index + 1
        nth = hashlib.sha256(f"{digest}/{index}".encode()).hexdigest()[:32]
        call = Call(f"b2f-{flow_run_id}-{nth}", max(count, 1), flow_run_id)
        attempt.calls[task_run_id] = call
        return call


def lose_track(call: Call, error: BaseException) -> None:
    """Note that this flow run attempt no longer knows what the job of `call` did."""
    if call.flow_run_id is not None:
        with _lock:
            _attempt(call.flow_run_id, call.run_attempt).lost.setdefault(call.key, str(error))


def found_again(call: Call) -> None:
    """The job of `call` was seen to end after all (a Prefect retry of its task waited for it)."""
    if call.flow_run_id is not None:
        with _lock:
            _attempt(call.flow_run_id, call.run_attempt).lost.pop(call.key, None)


def refuse_if_lost(call: Call, worker: str) -> None:
    """Enqueue nothing more in a flow run attempt that lost track of a job: `:complete`
    work waits for it with `allow_failure` and would run as if that job had ended. The
    call that lost it may ask again: that finds the same job."""
    if call.flow_run_id is None:
        return
    with _lock:
        lost = _attempt(call.flow_run_id, call.run_attempt).lost
        why = next((text for key, text in lost.items() if key != call.key), None)
    if why is not None:
        raise NotEnqueued(
            f"{worker}: not enqueued, this flow run no longer knows what an earlier job did "
            f"({why}); fix that, then retry the flow run"
        )


def _attempt(flow_run_id: str, run_attempt: int) -> _Attempt:
    """The record of one flow run attempt (call under `_lock`); the oldest are forgotten."""
    found = _attempts.get((flow_run_id, run_attempt))
    if found is None:
        found = _attempts[(flow_run_id, run_attempt)] = _Attempt()
        while len(_attempts) > KEPT_ATTEMPTS:
            _attempts.popitem(last=False)
    _attempts.move_to_end((flow_run_id, run_attempt))
    return found


def _digest(worker: str, args: list[object], queue: str | None) -> str:
    try:
        text = json.dumps([worker, queue, args], sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise NotEnqueued(
            f"{worker}: not enqueued, its arguments are not JSON (Sidekiq takes strings, numbers, "
            f"booleans, nil, arrays and string-keyed hashes): {exc}"
        ) from None
    return hashlib.sha256(text.encode()).hexdigest()
