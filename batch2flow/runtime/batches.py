"""What a Sidekiq batch callback learns about its batch, computed from Prefect futures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from batch2flow.runtime.errors import JobOutcomeUnknown

if TYPE_CHECKING:
    from prefect.client.schemas.objects import State
    from prefect.futures import PrefectFuture


@dataclass(frozen=True)
class BatchStatus:
    """The part of `Sidekiq::Batch::Status` callbacks read."""

    #: jobs the batch ran (a job whose upstream failed was never enqueued: not counted)
    total: int
    #: jobs that failed after their retries
    failures: int
    #: jobs not finished successfully; in Sidekiq a failed job stays pending
    pending: int


def batch_status(futures: Iterable[PrefectFuture[Any]]) -> BatchStatus:
    """Wait for every future, then count them the way Sidekiq counts the batch's jobs."""
    from prefect.futures import wait

    states = [future.state for future in wait(list(futures)).done]
    ran = [state for state in states if not _never_ran(state)]
    failures = sum(1 for state in ran if died(state))
    return BatchStatus(total=len(ran), failures=failures, pending=failures)


def status_now(futures: Iterable[PrefectFuture[Any]]) -> BatchStatus:
    """Count the jobs as they stand now, waiting for none: those that ended are counted as
    `batch_status` counts them, the others are pending."""
    states = [future.state for future in futures]
    ran = [state for state in states if not _never_ran(state)]
    failures = sum(1 for state in ran if state.is_final() and died(state))
    succeeded = sum(1 for state in ran if state.is_completed())
    return BatchStatus(total=len(ran), failures=failures, pending=len(ran) - succeeded)


def first_death(futures: Iterable[PrefectFuture[Any]]) -> bool:
    """True as soon as one job died (Sidekiq's `:death`); False once all ended without one."""
    from prefect.futures import as_completed

    for future in as_completed(list(futures)):
        # as_completed yields when the run finished but leaves the future's state to an
        # API read that can still say Pending; wait() takes the final state it returned.
        future.wait()
        if died(future.state):
            return True
    return False


def _never_ran(state: State[Any]) -> bool:
    # Prefect gives a task whose upstream failed a Pending state named NotReady, and the
    # future completes with it: that job was never enqueued, so Sidekiq never counted it.
    return state.is_pending() and state.name == "NotReady"


def died(state: State[Any]) -> bool:
    """The job's final state is a death: failed after its retries, or crashed.

    A task that failed because the bridge could not be reached, refused it or was not
    configured, or because the flow run was being cancelled, says nothing about the job:
    that is no death, and no callback may decide on it (`:death` work must not run for a
    job that never ran). The error is raised again here, so the callback block that asked
    fails, and with it the flow run."""
    if not (state.is_failed() or state.is_crashed()):
        return False
    unknown = _outcome_unknown(state)
    if unknown is not None:
        raise unknown
    return True


def _outcome_unknown(state: State[Any]) -> JobOutcomeUnknown | None:
    if not state.is_failed():
        return None
    try:
        error = state.result(raise_on_failure=False)
    except Exception:  # the result is gone (persisted elsewhere, say): judge by the state
        return None
    return error if isinstance(error, JobOutcomeUnknown) else None
