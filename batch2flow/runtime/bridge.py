"""Run one Sidekiq job through the REST bridge and wait for it (docs/bridge-protocol.md).

The enqueue carries the call's idempotency key, so a repeat (after a 502, a reset, a
Prefect retry of the task, a retry of the whole flow run) answers with the job already
enqueued, and polling goes on with that job. Sidekiq owns the job's retries: the task
waits, through `retrying`, until the job succeeded or died, at most the configured time.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic, sleep

from batch2flow.runtime.config import BridgeConfig
from batch2flow.runtime.errors import BridgeError, BridgeTimeout, JobCancelled, SidekiqJobFailed
from batch2flow.runtime.keys import Call
from batch2flow.runtime.transport import request_json

#: the protocol version this client speaks: the path prefix of every request
PROTOCOL = "/v1"
#: first pause between two status polls (tests set it near 0)
POLL_INITIAL_SECONDS = 0.5
#: the pause doubles up to this; a job that takes hours costs one request per 10 s
POLL_MAX_SECONDS = 10.0

#: backtrace lines of a Ruby error shown in the task's failure
BACKTRACE_SHOWN = 5

STATES = frozenset({"queued", "running", "retrying", "succeeded", "dead", "cancelled"})
_WAITING = frozenset({"queued", "running", "retrying"})


@dataclass(frozen=True)
class Enqueued:
    jid: str
    #: the job's state when the bridge answered: "queued" for a new job
    state: str
    #: False when the bridge already had a job under the key (a repeat, or a retried flow run)
    created: bool


def enqueue(config: BridgeConfig, worker: str, args: list[object], queue: str | None, call: Call,
            batch: dict[str, str | None] | None = None) -> Enqueued:
    """Push the job under `call.key`, or find the one pushed under it before. `batch` is
    the batch a planned job runs in (`bid`, `parent_bid`), as its plan named it."""
    body: dict[str, object] = {"class": worker, "args": args, "queue": queue, "run_attempt": call.run_attempt}
    if batch is not None:
        body["batch"] = batch
    return post_once(config, f"{PROTOCOL}/jobs", body, call)


def post_once(config: BridgeConfig, path: str, body: dict[str, object], call: Call) -> Enqueued:
    """POST a job or a call under its idempotency key; the answer names its jid."""
    endpoint = config.endpoint
    answer = request_json(endpoint, "POST", path, body, {"Idempotency-Key": call.key})
    found = answer.body if isinstance(answer.body, dict) else {}
    jid, state = found.get("jid"), found.get("state")
    if answer.status not in (200, 201) or not isinstance(jid, str) or not jid or state not in STATES:
        raise BridgeError(
            f'POST {endpoint.shown(path)}: expected 201 or 200 with {{"jid": "...", "state": "..."}}, '
            f"got HTTP {answer.status} {endpoint.redact(repr(answer.body))[:200]}"
        )
    return Enqueued(jid, str(state), answer.status == 201)


Logger = logging.Logger | logging.LoggerAdapter[logging.Logger]


def wait_for(config: BridgeConfig, worker: str, jid: str, log: Logger) -> object:
    """Poll until the job succeeded (return its result) or died (raise SidekiqJobFailed)."""
    return wait_for_state(config, worker, jid, log).get("result")


def wait_for_state(config: BridgeConfig, worker: str, jid: str, log: Logger,
                   on_end: Callable[[dict[str, object]], None] | None = None) -> dict[str, object]:
    """Poll until the job succeeded (return its whole state: result, plan, times) or died
    (raise SidekiqJobFailed); a job cancelled before it started raises JobCancelled."""
    endpoint = config.endpoint
    path = f"{PROTOCOL}/jobs/{urllib.parse.quote(jid, safe='')}"
    deadline = monotonic() + config.timeout_seconds
    pause = POLL_INITIAL_SECONDS
    retries_seen = -1
    while True:
        found = _poll(config, path, jid)
        state = found["state"]
        if on_end is not None and state in ("succeeded", "dead"):
            on_end(found)  # a trace reads when the job started and ended in Ruby
        if state == "succeeded":
            return found
        if state == "cancelled":
            raise JobCancelled(f"{worker} (jid {jid}) was cancelled before it started; it never ran")
        if state == "dead":
            raise SidekiqJobFailed(worker, jid, _error_text(found))
        # retry_count is 0 after the first failure (no retry started yet): log each failure once
        if state == "retrying" and _retry_count(found) > retries_seen:
            retries_seen = _retry_count(found)
            log.warning("%s (jid %s) failed, Sidekiq retries it (retry %d): %s",
                        worker, jid, retries_seen + 1, _error_text(found))
        left = deadline - monotonic()
        if left <= 0:
            raise BridgeTimeout(
                f"{worker} (jid {jid}) still {state} after {config.timeout_seconds:g} s "
                f"(bridge {endpoint.url}). Sidekiq may still run or retry it; retrying this flow "
                "run goes on waiting for the same job and enqueues nothing twice"
            )
        sleep(min(pause, left))
        pause = min(pause * 2, POLL_MAX_SECONDS)


def _poll(config: BridgeConfig, path: str, jid: str) -> dict[str, object]:
    endpoint = config.endpoint
    answer = request_json(endpoint, "GET", path)
    found = answer.body
    if not isinstance(found, dict) or found.get("state") not in STATES or found.get("jid") != jid:
        raise BridgeError(
            f"GET {endpoint.shown(path)}: expected a job's state, got HTTP {answer.status} "
            f"{endpoint.redact(repr(found))[:200]}"
        )
    return found


def _retry_count(found: dict[str, object]) -> int:
    count = found.get("retry_count")
    return count if isinstance(count, int) else 0


def _error_text(found: dict[str, object]) -> str:
    error = found.get("error")
    if isinstance(error, dict):
        name, message = error.get("class"), error.get("message")
        text = f"{name}: {message}" if name else str(message)
        lines = error.get("backtrace")
        if isinstance(lines, list):
            # the first lines say where in the Ruby it raised; the rest is in Sidekiq's log
            text += "".join(f"\n    from {line}" for line in lines[:BACKTRACE_SHOWN] if isinstance(line, str))
        return text
    return "no error reported"
