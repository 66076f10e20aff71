"""Sidekiq batch membership inside a generated flow.

A generated flow mirrors the Ruby: every job future is added to the batch Sidekiq
would have counted it in, so a callback waits for exactly the jobs (and child
batches' jobs) that were really enqueued. A job never submitted (its branch was not
taken) is simply not in the batch, as in Sidekiq.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from batch2flow.runtime.callbacks import Block, CallbackBlocks

if TYPE_CHECKING:
    from prefect.futures import PrefectFuture

    from batch2flow.runtime.batches import BatchStatus


class WorkflowRun:
    """Every job future of one flow run, so the flow can return (and fail on) all of them,
    and the callback blocks that submit them."""

    def __init__(self) -> None:
        self._futures: list[PrefectFuture[Any]] = []
        self._blocks = CallbackBlocks()
        from batch2flow.runtime.rehearsal import flow_started

        flow_started()

    def add(self, submitted: Any) -> Any:
        """Track a future (or the futures of a `.map()`), and hand it back."""
        # list.extend is atomic under the GIL: callback blocks add from their own threads
        self._futures.extend(_as_list(submitted))
        return submitted

    def callback(self, after: Iterable[str] = ()) -> Callable[[Block], Block]:
        """Decorator: run the callback block now, in its own thread, once the blocks
        named in `after` (function names) have submitted their jobs."""

        def start(block: Block) -> Block:
            self._blocks.start(block, after)
            return block

        return start

    def batch(self, description: str | None = None) -> Batch:
        """A batch created outside every other batch's `jobs` block."""
        return Batch(self, description, None)

    def futures(self) -> list[PrefectFuture[Any]]:
        """Every job future, once every callback block has run: what the flow returns."""
        self._blocks.join_all()
        return list(self._futures)


class Batch:
    """One `Sidekiq::Batch`: its jobs and its child batches."""

    def __init__(self, run: WorkflowRun, description: str | None, parent: Batch | None) -> None:
        self.run = run
        self.description = description
        self.parent = parent
        self._own: list[PrefectFuture[Any]] = []
        self._children: list[Batch] = []

    def child(self, description: str | None = None) -> Batch:
        """A batch created inside this batch's `jobs` block."""
        batch = Batch(self.run, description, self)
        self._children.append(batch)
        return batch

    def add(self, submitted: Any) -> Any:
        self.run.add(submitted)
        self._own.extend(_as_list(submitted))
        return submitted

    def futures(self) -> list[PrefectFuture[Any]]:
        """This batch's jobs and those of all its descendants, in submission order."""
        found = list(self._own)
        for child in self._children:
            found.extend(child.futures())
        return found

    def succeeded(self) -> list[PrefectFuture[Any]]:
        """`wait_for` of what runs on `:success`: a failed job leaves it NotReady."""
        return self.futures()

    def finished(self) -> list[Any]:
        """`wait_for` of what runs on `:complete`: every job ran, failed or not."""
        from prefect.utilities.annotations import allow_failure

        return [allow_failure(future) for future in self.futures()]

    def status(self) -> BatchStatus:
        """The `status` a callback reads (total, failures, pending), once every job of this
        batch and of its children finished, as when Sidekiq fires the callback.

        Like `Sidekiq::Batch::Status`, it counts this batch's own jobs only: a child
        batch's jobs are counted in the child's status, not in its parent's.
        """
        from prefect.futures import wait

        from batch2flow.runtime.batches import batch_status

        wait(self.futures())
        return batch_status(self._own)

    def died(self) -> bool:
        """True as soon as one job died: Sidekiq's `:death`."""
        from batch2flow.runtime.batches import first_death

        return first_death(self.futures())


def _as_list(submitted: Any) -> list[PrefectFuture[Any]]:
    # `.map()` gives a list of futures; `.submit()` one future
    return list(submitted) if isinstance(submitted, (list, tuple)) else [submitted]


def columns(rows: Iterable[object], width: int | None = None) -> list[list[object]]:
    """`perform_bulk` rows (one argument list per job) as one list per task parameter,
    the shape `task.map()` takes. A row that is not a list is a job's only argument.
    Without a `width`, as many columns as the widest row (`zip(*columns(rows))` gives the
    rows back, padded with None, for a perform taking `*args`)."""
    table = [list(row) if isinstance(row, (list, tuple)) else [row] for row in rows]
    if width is None:
        width = max((len(row) for row in table), default=0)
    return [[row[i] if i < len(row) else None for row in table] for i in range(width)]
