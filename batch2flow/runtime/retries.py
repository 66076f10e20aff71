"""Sidekiq's retry schedule, as a list Prefect's `retry_delay_seconds` accepts.

Generated tasks no longer use these (Sidekiq retries the job, the task waits for it);
they stay for flows generated before, and for hand-written tasks that want Sidekiq's backoff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, SupportsIndex, overload

from batch2flow.runtime.rehearsal import active_rehearsal

if TYPE_CHECKING:
    from prefect.client.schemas.objects import State

#: Prefect refuses more than 50 retry delays on one task
MAX_DELAYS = 50


class RetryDelays(list[float]):
    """A list of delays that reads as zeros while a rehearsal runs.

    Prefect looks the delay up (`delays[i]`) when an attempt fails, not when the task is
    decorated, so a generated task keeps Sidekiq's backoff in production and a rehearsal
    (whose failures are simulated) retries without real waiting, as the contract promises.
    """

    @overload
    def __getitem__(self, index: SupportsIndex) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> list[float]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> float | list[float]:
        value = super().__getitem__(index)
        if active_rehearsal() is None:
            return value
        return 0.0 if isinstance(value, float) else [0.0] * len(value)


def retry_delays(retries: int) -> list[float]:
    """Sidekiq's default backoff, `count**4 + 15` seconds for count = 0, 1, ..., no jitter.

    At most 50 entries, because Prefect refuses more. Prefect repeats the last entry for
    attempts past the list, so with `retries` above 50 every retry from the 50th on waits
    49**4 + 15 s (about 67 days). Sidekiq's own default of 25 retries stays well below.
    """
    return RetryDelays(float(count**4 + 15) for count in range(min(retries, MAX_DELAYS)))


def retry_job(task: object, task_run: object, state: State[Any]) -> bool:
    """Prefect's `retry_condition_fn` for a generated task: retry a failed attempt,
    except a rehearsal's simulated death, which stands for a job that already used up
    its retries (so a rehearsal spends no time and no API calls on them)."""
    from batch2flow.runtime.errors import SimulatedJobFailure

    error = state.result(raise_on_failure=False)
    return not isinstance(error, SimulatedJobFailure)
