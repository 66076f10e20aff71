"""Run one Sidekiq job through the REST bridge and wait for it.

The bridge protocol (the Ruby side implements it; all bodies are JSON):

- ``POST {url}/jobs`` with ``{"class": "Billing::ChargeWorker", "args": [...], "queue": "default"
  or null, "retry": false}`` and, when a token is configured, ``Authorization: Bearer <token>``.
  Answers 201 or 200 with ``{"jid": "<job id>"}``. ``retry`` is always false: Prefect owns
  retries, and a job Sidekiq retried on its own would report ``failed`` too late or never.
- ``GET {url}/jobs/<jid>`` answers 200 with ``{"jid": "...", "status": "queued" | "running" |
  "succeeded" | "failed", "result": <any JSON>, "error": "<message>" or null}``.
  The bridge must keep a finished job's status at least until it has been read once.

The flow polls the status with a pause of 0.5 s that doubles up to 10 s, and gives up after
the configured timeout (6 h by default) with BridgeTimeout. HTTP 502/503/504, refused and
reset connections are retried 3 times; any other 4xx/5xx, or an answer that is not the JSON
above, raises BridgeError at once. A ``failed`` job raises SidekiqJobFailed.
"""

from __future__ import annotations

import urllib.parse
from time import monotonic, sleep

from batch2flow.runtime.config import BridgeConfig
from batch2flow.runtime.errors import BridgeError, BridgeTimeout, SidekiqJobFailed
from batch2flow.runtime.transport import request_json

#: first pause between two status polls (tests set it near 0)
POLL_INITIAL_SECONDS = 0.5
#: the pause doubles up to this; a job that takes hours costs one request per 10 s
POLL_MAX_SECONDS = 10.0

_WAITING = frozenset({"queued", "running"})


def enqueue(config: BridgeConfig, worker: str, args: list[object], queue: str | None) -> str:
    """Push the job and return its jid."""
    url = f"{config.url}/jobs"
    body = {"class": worker, "args": args, "queue": queue, "retry": False}
    answer = request_json("POST", url, config.token, body)
    jid = answer.get("jid") if isinstance(answer, dict) else None
    if not isinstance(jid, str) or not jid:
        raise BridgeError(f'POST {url}: expected {{"jid": "..."}}, got {answer!r:.200}')
    return jid


def wait_for(config: BridgeConfig, worker: str, jid: str) -> object:
    """Poll until the job finished; return its result or raise SidekiqJobFailed."""
    url = f"{config.url}/jobs/{urllib.parse.quote(jid, safe='')}"
    deadline = monotonic() + config.timeout_seconds
    pause = POLL_INITIAL_SECONDS
    while True:
        answer = request_json("GET", url, config.token)
        status = answer.get("status") if isinstance(answer, dict) else None
        if status == "succeeded":
            assert isinstance(answer, dict)
            return answer.get("result")
        if status == "failed":
            assert isinstance(answer, dict)
            raise SidekiqJobFailed(worker, jid, str(answer.get("error") or "no error message"))
        if status not in _WAITING:
            raise BridgeError(f"GET {url}: expected a job status, got {answer!r:.200}")
        left = deadline - monotonic()
        if left <= 0:
            raise BridgeTimeout(
                f"{worker} (jid {jid}) still {status} after {config.timeout_seconds:g} s; "
                "the Sidekiq job may still run: check it before retrying the flow"
            )
        sleep(min(pause, left))
        pause = min(pause * 2, POLL_MAX_SECONDS)
