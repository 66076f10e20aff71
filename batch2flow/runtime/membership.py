"""Sidekiq batch membership inside a generated flow.

A generated flow mirrors the Ruby: every job future is added to the batch Sidekiq
would have counted it in, so a callback waits for exactly the jobs (and child
batches' jobs) that were really enqueued. A job never submitted (its branch was not
taken) is simply not in the batch, as in Sidekiq.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from batch2flow.runtime.callbacks import Block, CallbackBlocks, for_each_item

if TYPE_CHECKING:
    from prefect.futures import PrefectFuture

    from batch2flow.runtime.batches import BatchStatus


class WorkflowRun:
    """Every job future of one flow run, so the flow can return (and fail on) all of them,
    and the callback blocks that submit them."""

    def __init__(self) -> None:
        self._futures: list[PrefectFuture[Any]] = []
        #: notified whenever a job is added or a callback block returns (death watches wait on it)
        self.changed = threading.Condition()
        self._blocks = CallbackBlocks(on_return=self._notify)
        from batch2flow.runtime.rehearsal import flow_started

        flow_started()

    def add(self, submitted: Any) -> Any:
        """Track a future (or the futures of a `.map()`), and hand it back."""
        with self.changed:
            self._futures.extend(_as_list(submitted))
            self.changed.notify_all()
        return submitted

    def returned(self, blocks: Iterable[str]) -> bool:
        """The callback blocks named (function names) have returned, or never run."""
        return self._blocks.returned(blocks)

    def _notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def callback(self, after: Iterable[str] = (), target: str = "", batch: Batch | None = None,
                 on: str = "") -> Callable[[Block], Block]:
        """Decorator: run the callback block now, in its own thread, once the blocks
        named in `after` (function names) have submitted their jobs. `target`, `batch`
        and `on`: the Ruby callback (`Klass#method`) and what it fires on, which a
        rehearsal's timeline shows (the block itself waits as its statements say)."""

        def start(block: Block) -> Block:
            self._blocks.start(block, after)
            if target and batch is not None:
                from batch2flow.runtime.fired import watch_in_rehearsal

                watch_in_rehearsal(target, batch, on)
            return block

        return start

    def each(self, items: Iterable[Any], body: Callable[[Any], None]) -> None:
        """Run `body` once per item: the code of a Ruby loop that builds one batch per item.
        Each call defines that item's batch and its callback blocks."""
        for_each_item(items, body)

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
        with self.run.changed:  # one change: a death watch sees the job in the batch
            self._own.extend(_as_list(submitted))
            self.run.add(submitted)
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

    def death_status(self) -> BatchStatus:
        """The `status` a `:death` callback reads: Sidekiq fires it at the first death,
        while the batch's other jobs may still run, so it is what is known then, without
        waiting for them (this batch's own jobs, as `status`)."""
        from batch2flow.runtime.batches import status_now

        return status_now(self._own)

    def died(self, added_by: Iterable[str] = ()) -> bool:
        """True as soon as one job of this batch or of its children died: Sidekiq's `:death`.
        False once every job ended without a death, those that the callback blocks named in
        `added_by` (function names) add included: it watches them until those returned."""
        from batch2flow.runtime.deaths import watch_for_death

        blocks = tuple(added_by)
        return watch_for_death(self.futures, lambda: self.run.returned(blocks), self.run.changed)


def _as_list(submitted: Any) -> list[PrefectFuture[Any]]:
    # `.map()` gives a list of futures; `.submit()` one future
    return list(submitted) if isinstance(submitted, (list, tuple)) else [submitted]


def columns(rows: Iterable[object], width: int) -> list[list[object]]:
    """`perform_bulk` rows (one argument list per job) as one list per task parameter,
    the shape `task.map()` takes. A row that is not a list is a job's only argument.

    Kept for flows generated before `bulk_rows`: it pads a short row with None (sent as
    nil, not Ruby's default) and cannot fill a `*args` parameter; new flows submit each
    row with `bulk_rows` instead."""
    table = [list(row) if isinstance(row, (list, tuple)) else [row] for row in rows]
    return [[row[i] if i < len(row) else None for row in table] for i in range(width)]
