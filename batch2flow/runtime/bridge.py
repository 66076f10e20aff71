"""Run one Sidekiq job through the REST bridge and wait for it (docs/bridge-protocol.md).

The enqueue carries the call's idempotency key, so a repeat (after a 502, a reset, a
Prefect retry of the task, a retry of the whole flow run) answers with the job already
enqueued, and polling goes on with that job. Sidekiq owns the job's retries: the task
waits, through `retrying`, until the job succeeded or died, at most the configured time.
"""

from __future__ import annotations

import logging
import urllib.parse
from dataclasses import dataclass
from time import monotonic, sleep

from batch2flow.runtime.config import BridgeConfig
from batch2flow.runtime.errors import BridgeError, BridgeTimeout, SidekiqJobFailed
from batch2flow.runtime.keys import Call
from batch2flow.runtime.transport import request_json

#: the protocol version this client speaks: the path prefix of every request
PROTOCOL = "/v1"
#: first pause between two status polls (tests set it near 0)
POLL_INITIAL_SECONDS = 0.5
#: the pause doubles up to this; a job that takes hours costs one request per 10 s
POLL_MAX_SECONDS = 10.0

STATES = frozenset({"queued", "running", "retrying", "succeeded", "dead"})
_WAITING = frozenset({"queued", "running", "retrying"})


@dataclass(frozen=True)
class Enqueued:
    jid: str
    #: the job's state when the bridge answered: "queued" for a new job
    state: str
    #: False when the bridge already had a job under the key (a repeat, or a retried flow run)
    created: bool


def enqueue(config: BridgeConfig, worker: str, args: list[object], queue: str | None, call: Call) -> Enqueued:
    """Push the job under `call.key`, or find the one pushed under it before."""
    endpoint = config.endpoint
    path = f"{PROTOCOL}/jobs"
    body = {"class": worker, "args": args, "queue": queue, "run_attempt": call.run_attempt}
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
    endpoint = config.endpoint
    path = f"{PROTOCOL}/jobs/{urllib.parse.quote(jid, safe='')}"
    deadline = monotonic() + config.timeout_seconds
    pause = POLL_INITIAL_SECONDS
    retries_seen = 0
    while True:
        found = _poll(config, path, jid)
        state = found["state"]
        if state == "succeeded":
            return found.get("result")
        if state == "dead":
            raise SidekiqJobFailed(worker, jid, _error_text(found))
        if state == "retrying" and _retry_count(found) > retries_seen:
            retries_seen = _retry_count(found)
            log.warning("%s (jid %s) failed, Sidekiq retries it (retry %d): %s",
                        worker, jid, retries_seen, _error_text(found))
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
        return f"{name}: {message}" if name else str(message)
    return "no error reported"
