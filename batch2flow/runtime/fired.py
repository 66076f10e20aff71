"""When Sidekiq would have run a callback, for a rehearsal's timeline.

A callback block starts at once and waits as its statements say (`wait_for=`, a
status it reads), so its own start tells nothing. In a rehearsal, a watcher thread
waits for the block's batch instead and records the moment the callback fires: once
every job ended (`:complete`), once every job succeeded (`:success`, never when one
failed), at the first death (`:death`). Outside a rehearsal nothing is watched.
"""

from __future__ import annotations

import contextvars
import threading
from typing import TYPE_CHECKING

from batch2flow.runtime.rehearsal import active_rehearsal

if TYPE_CHECKING:
    from batch2flow.runtime.membership import Batch


def watch_in_rehearsal(target: str, batch: Batch, on: str) -> None:
    current = active_rehearsal()
    if current is None:
        return
    from prefect.runtime import flow_run

    flow = flow_run.flow_name if isinstance(flow_run.flow_name, str) else None
    context = contextvars.copy_context()  # the flow run's, so its futures can be waited on

    def watch() -> None:
        try:
            fired = fires(batch, on)
        except BaseException:  # the run ended first (its tasks cancelled): nothing to show
            return
        if fired:
            current.callback(target, on, flow)

    threading.Thread(target=context.run, args=(watch,), name=f"fires {target}", daemon=True).start()


def fires(batch: Batch, on: str) -> bool:
    """Whether the callback on `on` of `batch` fires; returns when Sidekiq would run it."""
    from batch2flow.runtime.batches import batch_status

    if on == "death":
        return batch.died()
    status = batch_status(batch.futures())
    return on == "complete" or status.failures == 0
