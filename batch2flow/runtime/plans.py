"""What a Ruby job, starter or callback would have done to Sidekiq: its plan.

The bridge runs the Ruby with a recorder standing in for `Sidekiq::Batch` and for the
enqueues of the workflow's own workers, and answers what it recorded
(docs/bridge-protocol.md, "The plan"). The flow then submits exactly those jobs, with
the arguments Ruby computed: a branch is taken because Ruby took it, a loop fans out
over what Ruby iterated.

Each row names its Ruby call site. The generated code claims the rows of the sites its
graph knows (`Plan.jobs`, `Plan.callbacks`); a row nobody claimed is work the graph did
not see, and `Plan.check_claimed` fails the run naming its file and line, so the flow
never silently drops nor adds a job.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from batch2flow.runtime.errors import UnplannedWork

Row = TypeVar("Row")


@dataclass(frozen=True)
class Site:
    #: relative to the app's root, as `batch2flow` read it
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, kw_only=True)
class PlannedBatch:
    bid: str
    parent_bid: str | None
    #: `Sidekiq::Batch.new(bid)` of a batch that exists already
    reopened: bool
    description: str | None
    callback_queue: str | None
    site: Site


@dataclass(frozen=True, kw_only=True)
class PlannedCallback:
    bid: str
    #: success | complete | death
    event: str
    #: `Klass#method` or `Klass`
    target: str
    #: as JSON gives them back: string keys
    options: object
    site: Site
    #: the idempotency key of the call that runs it: derived from the plan that holds it
    key: str


@dataclass(frozen=True, kw_only=True)
class PlannedJob:
    worker: str
    args: list[object]
    queue: str | None
    #: the delay in seconds (`perform_in`), or None
    at: float | None
    #: the batch whose `jobs` block enqueued it, or None
    bid: str | None
    site: Site
    #: the idempotency key of its enqueue: derived from the plan that holds it
    key: str


@dataclass(kw_only=True)
class Plan:
    """The rows of one plan, in the order Ruby recorded them."""

    #: the call that recorded it (`DataPipeline.start`, `KickoffWorker`), for messages
    owner: str
    batches: list[PlannedBatch] = field(default_factory=list)
    callbacks: list[PlannedCallback] = field(default_factory=list)
    enqueues: list[PlannedJob] = field(default_factory=list)
    _claimed: set[int] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def jobs(self, worker: str, file: str, line: int) -> list[PlannedJob]:
        """The enqueues of `worker` Ruby made at file:line (none when its branch was not
        taken, many in a loop), claimed: `check_claimed` will not report them."""
        site = Site(file, line)
        return self._claim(self.enqueues, lambda row: row.worker == worker and row.site == site)

    def jobs_at(self, file: str, line: int) -> list[PlannedJob]:
        """The enqueues Ruby made at file:line, whatever the worker (one the graph could
        not know statically), claimed."""
        site = Site(file, line)
        return self._claim(self.enqueues, lambda row: row.site == site)

    def callbacks_at(self, file: str, line: int) -> list[PlannedCallback]:
        """The callbacks Ruby registered at file:line, claimed."""
        site = Site(file, line)
        return self._claim(self.callbacks, lambda row: row.site == site)

    def check_claimed(self) -> None:
        """Fail on the first enqueue or callback the generated code did not claim."""
        rows: list[PlannedJob | PlannedCallback] = [*self.enqueues, *self.callbacks]
        with self._lock:
            left = [row for row in rows if id(row) not in self._claimed]
        if left:
            row = left[0]
            what = f"enqueued {row.worker}" if isinstance(row, PlannedJob) else (
                f"registered :{row.event} callback {row.target}")
            raise UnplannedWork(
                f"{row.site}: {self.owner} {what} there, which this flow's workflow graph does "
                f"not know at that line ({len(left)} such row(s) in all). The Ruby changed since "
                "the flow was generated: run `batch2flow convert` again. Nothing was enqueued."
            )

    def _claim(self, rows: list[Row], wanted: Callable[[Row], bool]) -> list[Row]:
        with self._lock:
            found = [row for row in rows if wanted(row)]
            self._claimed.update(id(row) for row in found)
        return found
