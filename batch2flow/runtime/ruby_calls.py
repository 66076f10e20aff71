"""Run a piece of the workflow's Ruby through the bridge and read back its plan.

Three kinds, one path: a planned job (`perform` of a workflow worker), the starter, and
a callback method. Each is one Sidekiq job on the Ruby side, enqueued once under a key
derived from the plan that asked for it (see plan_reading.py), polled until it ended;
what it would have built and enqueued comes back as its plan.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable

from batch2flow.runtime.errors import JobOutcomeUnknown, NotEnqueued, SidekiqJobFailed
from batch2flow.runtime.keys import Call, found_again, lose_track, refuse_if_lost
from batch2flow.runtime.plan_reading import derive_key, read_plan
from batch2flow.runtime.plans import Plan, PlannedJob


@dataclasses.dataclass(frozen=True, kw_only=True)
class RubyCall:
    """What to POST, and under which key."""

    #: `/jobs` or `/calls`
    path: str
    body: dict[str, object]
    key: str
    #: who runs, for messages and logs: the worker, or the starter or callback target
    name: str


def run_planned_job(job: PlannedJob, parent_bid: str | None) -> Plan:
    """Enqueue the job Ruby planned, with the arguments Ruby computed, in the batch Ruby
    named, wait for it, and return what its `perform` planned in turn."""
    body: dict[str, object] = {"class": job.worker, "args": job.args, "queue": job.queue}
    if job.bid is not None:
        body["batch"] = {"bid": job.bid, "parent_bid": parent_bid}
    if job.at:
        body["in"] = job.at
    return run_ruby(RubyCall(path="/jobs", body=body, key=job.key, name=job.worker))


def starter_key() -> str:
    """The key of the starter's call: one per flow run, the same in each of its attempts."""
    return derive_key(_flow_run_id(), "start")


def run_ruby(call: RubyCall) -> Plan:
    """POST the job or call once, wait until it succeeded (its plan) or died (raise)."""
    from batch2flow.runtime.bridge import PROTOCOL, post_once, wait_for_state
    from batch2flow.runtime.cancelling import flow_run_cancelling, remember
    from batch2flow.runtime.config import load_config
    from batch2flow.runtime.jobs import run_logger

    attempt, flow_run_id = _run_attempt()
    tracked = Call(call.key, attempt, flow_run_id)
    refuse_if_lost(tracked, call.name)
    if flow_run_id is not None and flow_run_cancelling(flow_run_id):
        raise NotEnqueued(f"{call.name}: not enqueued, the flow run is being cancelled")
    config = load_config()
    log = run_logger()
    try:
        job = post_once(config, PROTOCOL + call.path, {**call.body, "run_attempt": attempt}, tracked)
        remember(flow_run_id, config, job.jid)
        verb = "enqueued" if job.created else f"was enqueued before (now {job.state})"
        log.info("%s %s as jid %s; waiting for it", call.name, verb, job.jid)
        state = wait_for_state(config, call.name, job.jid, log, on_end=_traced(call.name))
    except JobOutcomeUnknown as error:
        lose_track(tracked, error)
        raise
    except SidekiqJobFailed:
        found_again(tracked)
        raise
    found_again(tracked)
    return read_plan(state.get("plan"), call.name, call.key)


def _run_attempt() -> tuple[int, str | None]:
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    if ctx is None or ctx.flow_run is None:
        return 1, None
    return max(ctx.flow_run.run_count, 1), str(ctx.flow_run.id)


def _flow_run_id() -> str:
    found = _run_attempt()[1]
    # outside a flow run (a script, a test) every start is its own
    return found if found is not None else uuid.uuid4().hex


def _traced(name: str) -> Callable[[dict[str, object]], None] | None:
    """In `rehearse --sidekiq`, note when the Ruby started and ended (its own clock is the
    host's monotonic one, which the rehearsal's clock is too)."""
    from batch2flow.runtime.rehearsal import active_rehearsal

    current = active_rehearsal()
    if current is None:
        return None

    def note(state: dict[str, object]) -> None:
        from prefect.runtime import flow_run

        flow = flow_run.flow_name if isinstance(flow_run.flow_name, str) else None
        started, ended = state.get("started_at"), state.get("ended_at")
        end = "end" if state.get("state") == "succeeded" else "fail"
        if isinstance(started, (int, float)):
            current.emit_at(name, "start", flow, float(started))
        current.emit_at(name, end, flow, float(ended) if isinstance(ended, (int, float)) else None)

    return note
