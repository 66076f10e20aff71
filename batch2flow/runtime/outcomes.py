"""How a job's final Prefect state counts in its batch: succeeded, died, or unknown."""

from __future__ import annotations

from typing import Any

from batch2flow.runtime.batch_book import DIED, SUCCEEDED, UNKNOWN
from batch2flow.runtime.errors import JobOutcomeUnknown, SidekiqJobFailed


def outcome(state: Any) -> tuple[str, str | None]:
    """(outcome, jid of a death). A bridge error or a cancelled job is no death: it says
    nothing of the job, so no callback may decide on it."""
    from batch2flow.runtime.batches import died

    if state.is_completed():
        return SUCCEEDED, None
    try:
        dead = died(state)
    except JobOutcomeUnknown:
        return UNKNOWN, None
    if not dead:
        return UNKNOWN, None
    error = state.result(raise_on_failure=False)
    return DIED, error.jid if isinstance(error, SidekiqJobFailed) else None
