"""Cancelling a flow run: enqueue nothing new, and cancel the jobs that have not started.

Prefect cancels a flow run by stopping its process; the Ruby jobs it enqueued live on in
Sidekiq. The flow's `on_cancellation` hook (`cancel_not_started`) asks the bridge to
cancel every job this process enqueued for the run (`DELETE /v1/jobs/<jid>`): one still
queued never runs, one that started finishes as Sidekiq runs it.
"""

from __future__ import annotations

import threading
import urllib.parse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from batch2flow.runtime.config import BridgeConfig

_lock = threading.Lock()
#: flow run id -> (bridge, jid) of every job this process enqueued or found for it
_enqueued: dict[str, list[tuple[BridgeConfig, str]]] = {}


def remember(flow_run_id: str | None, config: BridgeConfig, jid: str) -> None:
    """Note a job of the flow run, so cancelling the run can cancel it."""
    if flow_run_id is None:
        return
    with _lock:
        _enqueued.setdefault(flow_run_id, []).append((config, jid))


def flow_run_cancelling(flow_run_id: str) -> bool:
    """The flow run is being cancelled (or was): a task that starts now enqueues nothing."""
    from prefect.client.orchestration import get_client

    from batch2flow.runtime.errors import NotEnqueued

    try:
        with get_client(sync_client=True) as client:
            state = client.read_flow_run(flow_run_id).state  # type: ignore[arg-type]
    except Exception as error:  # the task engine's own retries of the API call are spent
        raise NotEnqueued(
            f"not enqueued: could not read whether flow run {flow_run_id} is being cancelled "
            f"({type(error).__name__})"
        ) from None
    return state is not None and (state.is_cancelling() or state.is_cancelled())


def cancel_not_started(flow: Any, flow_run: Any, state: Any) -> None:
    """`on_cancellation` hook of a generated flow: cancel the run's jobs not started yet."""
    from batch2flow.runtime.bridge import PROTOCOL
    from batch2flow.runtime.errors import BridgeError
    from batch2flow.runtime.jobs import run_logger
    from batch2flow.runtime.transport import request_json

    with _lock:
        jobs = _enqueued.pop(str(flow_run.id), [])
    log = run_logger()
    for config, jid in jobs:
        path = f"{PROTOCOL}/jobs/{urllib.parse.quote(jid, safe='')}"
        try:
            # 409: it started or ended already; Sidekiq finishes what it started
            answer = request_json(config.endpoint, "DELETE", path, answers=frozenset({409}))
        except BridgeError as error:
            log.warning("could not cancel jid %s: %s", jid, error)
            continue
        if answer.status == 200:
            log.info("cancelled jid %s before it started", jid)
