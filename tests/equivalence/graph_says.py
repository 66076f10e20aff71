"""What the graph predicts about one run: which workers run, given which ones die.

Each job, callback and block gets a certainty: YES (it happens in every run), MAYBE
(it hangs on a condition the graph does not decide) or NO. Blocks are walked in the
order the flow body uses (a callback after every block that adds to what it waits
for), so by the time a callback is decided, every job of its batches is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from batch2flow.batch_tree import subtrees
from batch2flow.codegen.blocks import STARTER, build_blocks
from batch2flow.ir import Callback, Job, Workflow

YES, MAYBE, NO = 2, 1, 0

#: conditions on the callback status the simulation can decide: they only ask whether
#: some job failed
_FAILED = [r"status\.failures\s*>\s*0", r"status\.failures\.positive\?", r"!\(status\.failures\.zero\?\)",
           r"!\(status\.failures\s*==\s*0\)"]
_CLEAN = [r"status\.failures\s*==\s*0", r"status\.failures\.zero\?", r"!\(status\.failures\s*>\s*0\)",
          r"!\(status\.failures\.positive\?\)"]


@dataclass(frozen=True)
class Prediction:
    #: workers with a job in every run
    runs: frozenset[str]
    #: workers with a job in some runs (conditions the graph leaves open)
    may_run: frozenset[str]


def predict(workflow: Workflow, fail: set[str]) -> Prediction:
    blocks = build_blocks(workflow)
    jobs = {job.id: job for job in workflow.jobs}
    callbacks = {cb.id: cb for cb in workflow.callbacks}
    below = subtrees(workflow.batches)
    status: dict[str, int] = {}
    for key in blocks.order:
        block = (YES if key == STARTER
                 else _callback(callbacks[key], status, jobs, below, fail, blocks.block_of))
        status[key] = block
        for node in blocks.members[key]:
            if node in jobs:
                status[node] = _job(jobs[node], block, status, callbacks.get(key), fail, jobs)
    runs = {j.worker for j in workflow.jobs if status.get(j.id, NO) == YES}
    maybe = {j.worker for j in workflow.jobs if status.get(j.id, NO) == MAYBE}
    return Prediction(frozenset(runs), frozenset(maybe - runs))


def _job(job: object, block: int, status: dict[str, int], callback: object, fail: set[str],
         jobs: dict[str, object]) -> int:
    assert isinstance(job, Job)
    certainty = block
    spawner = job.spawned_by
    if spawner in jobs:
        # a job that died at its start enqueued nothing
        if _enqueuer_died(spawner, jobs, fail):
            return NO
        certainty = min(certainty, status.get(spawner, NO))
    if job.condition is not None:
        base = callback.condition if isinstance(callback, Callback) else None
        certainty = min(certainty, _decide(job.condition, base, status, callback))
    return certainty


def _enqueuer_died(actor: str | None, jobs: dict[str, object], fail: set[str]) -> bool:
    """Some job on the chain of jobs that enqueued one another up to `actor` died."""
    while actor in jobs:
        job = jobs[actor]
        assert isinstance(job, Job)
        if job.worker in fail:
            return True
        actor = job.spawned_by
    return False


def _decide(condition: str, base: str | None, status: dict[str, int], callback: object) -> int:
    """YES/NO for a condition the simulation can decide; MAYBE otherwise."""
    own = condition[len(base) + 4:] if base and condition.startswith(base + " && ") else condition
    failed = status.get(f"failed:{getattr(callback, 'id', '')}")
    if failed is None or failed == MAYBE:
        return MAYBE
    parts = own.split(" && ")
    result = YES
    for part in parts:
        if any(re.fullmatch(p, part) for p in _FAILED):
            result = min(result, YES if failed == YES else NO)
        elif any(re.fullmatch(p, part) for p in _CLEAN):
            result = min(result, NO if failed == YES else YES)
        else:
            result = min(result, MAYBE)
    return result


def _callback(cb: object, status: dict[str, int], jobs: dict[str, object], below: dict[str, list[str]],
              fail: set[str], block_of: dict[str, str]) -> int:
    assert isinstance(cb, Callback)
    registered = status.get(block_of[cb.id], NO)
    if _enqueuer_died(cb.registered_by, jobs, fail):
        return NO  # the job that would have registered it died at its start
    if cb.condition is not None:
        registered = min(registered, MAYBE)
    members = [j for j in jobs.values() if isinstance(j, Job) and j.batch in below[cb.batch]]
    # whether the callback fires depends on the jobs of the batch and of its children;
    # `status.failures` counts the batch's own jobs only (Sidekiq::Batch::Status)
    failed = _died(members, status, fail)
    status[f"failed:{cb.id}"] = _died([j for j in members if j.batch == cb.batch], status, fail)
    if cb.event == "complete":
        fires = YES
    elif cb.event == "success":
        fires = NO if failed == YES else MAYBE if failed == MAYBE else YES
    else:
        fires = failed
    return min(registered, fires)


def _died(members: list[Job], status: dict[str, int], fail: set[str]) -> int:
    """YES when a job certain to run dies, MAYBE when only an uncertain one would."""
    if any(status.get(j.id, NO) == YES and j.worker in fail for j in members):
        return YES
    return MAYBE if any(status.get(j.id, NO) == MAYBE and j.worker in fail for j in members) else NO
