"""The batches of one plan-driven flow run, kept the way Sidekiq keeps them.

Ruby names every batch (its bid, its parent) and every job's batch in its plans, so
membership here is what Ruby said, not what a reader of the source guessed: one child
batch per item of a loop holds that item's jobs only. A batch is *complete* once every
job in it and in its descendants ended and had its own plan handled (a job can add jobs
to its batch), the plans that name it were handled, and its children's `:success` and
`:complete` callbacks returned (they may add work to it through `parent_bid`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from batch2flow.runtime.plans import PlannedBatch, PlannedCallback

#: a job's outcome: not ended yet, succeeded, died, or unknown (a bridge error: no
#: callback may decide on it, so its batch never completes)
RUNNING, SUCCEEDED, DIED, UNKNOWN = "running", "succeeded", "died", "unknown"


@dataclass
class JobEntry:
    future: Any
    bid: str | None
    outcome: str = RUNNING
    #: the job's jid when it died (`status.failed_jids`)
    jid: str | None = None


@dataclass
class CallbackEntry:
    callback: PlannedCallback
    handler: Any
    #: waiting, fired, or skipped (its event can no longer happen)
    stage: str = "waiting"
    #: the callback's own Ruby returned (and its plan was handled)
    returned: bool = False


@dataclass
class BatchEntry:
    row: PlannedBatch
    children: list[str] = field(default_factory=list)
    jobs: list[JobEntry] = field(default_factory=list)
    callbacks: list[CallbackEntry] = field(default_factory=list)
    #: plans naming this batch whose handler has not returned yet
    open_plans: int = 0


class BatchBook:
    """Every batch of the run by bid. Not thread-safe: the caller holds the run's lock."""

    def __init__(self) -> None:
        self.batches: dict[str, BatchEntry] = {}

    def enter(self, row: PlannedBatch) -> BatchEntry:
        """A batch Ruby created, or one it reopened (its new settings win)."""
        found = self.batches.get(row.bid)
        if found is not None:
            found.row = _reopened(found.row, row)
            return found
        entry = self.batches[row.bid] = BatchEntry(row)
        if row.parent_bid is not None and row.parent_bid in self.batches:
            self.batches[row.parent_bid].children.append(row.bid)
        return entry

    def subtree(self, bid: str) -> list[BatchEntry]:
        found, todo = [], [bid]
        while todo:
            entry = self.batches[todo.pop()]
            found.append(entry)
            todo.extend(entry.children)
        return found

    def complete(self, bid: str) -> bool:
        for entry in self.subtree(bid):
            if entry.open_plans or any(job.outcome in (RUNNING, UNKNOWN) for job in entry.jobs):
                return False
            if entry.row.bid != bid and any(
                cb.callback.event != "death" and cb.stage != "skipped" and not cb.returned
                for cb in entry.callbacks
            ):
                return False
        return True

    def died(self, bid: str) -> bool:
        return any(job.outcome == DIED for entry in self.subtree(bid) for job in entry.jobs)

    def status(self, bid: str) -> dict[str, object]:
        """What `Sidekiq::Batch::Status` says of the batch: its own jobs only, as Sidekiq
        counts them (a failed job stays pending)."""
        entry = self.batches[bid]
        failed = [job for job in entry.jobs if job.outcome == DIED]
        return {"bid": bid, "parent_bid": entry.row.parent_bid, "total": len(entry.jobs),
                "failures": len(failed), "pending": len(failed),
                "failed_jids": [job.jid for job in failed if job.jid is not None]}


def _reopened(old: PlannedBatch, new: PlannedBatch) -> PlannedBatch:
    # reopening keeps the parent and what the reopening code did not set again
    return PlannedBatch(bid=old.bid, parent_bid=old.parent_bid, reopened=False,
                        description=new.description or old.description,
                        callback_queue=new.callback_queue or old.callback_queue, site=old.site)
