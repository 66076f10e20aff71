"""A workflow reduced to what a review compares: its workers and their happens-before.

Node ids, batches and files are left behind, so renaming a local variable or moving
a class to another file changes nothing here. A pair (before, after, on) says some
job of `after` can only start once some job of `before` finished, `on` being the
event of the first callback on the way (the one `before`'s batch fires).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from batch2flow.ir import Workflow


@dataclass(frozen=True, order=True)
class Order:
    #: worker that finishes first
    before: str
    #: worker that starts after it
    after: str
    #: success | complete | death
    on: str


@dataclass(frozen=True)
class Shape:
    #: every worker the workflow enqueues
    workers: frozenset[str]
    #: the transitive closure of the happens-before between workers
    order: frozenset[Order]
    #: worker -> whether some job of it fans out (a loop or a bulk push)
    fan_out: tuple[tuple[str, bool], ...]


EMPTY = Shape(frozenset(), frozenset(), ())


def shape_of(wf: Workflow) -> Shape:
    fan_out: dict[str, bool] = {}
    for job in wf.jobs:
        fan_out[job.worker] = fan_out.get(job.worker, False) or job.fan_out
    return Shape(frozenset(fan_out), frozenset(_closure(wf)), tuple(sorted(fan_out.items())))


def _closure(wf: Workflow) -> set[Order]:
    """Every job reachable from every job, with the event that opened the way."""
    successors: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for edge in wf.edges:
        # a loop edge is the next round of a callback that re-registers itself; following
        # it would put every worker of the round before itself and before its predecessors
        if not edge.loop:
            successors[edge.source].append((edge.target, edge.on))
    workers = {job.id: job.worker for job in wf.jobs}
    events = {cb.id: cb.event for cb in wf.callbacks}
    found: set[Order] = set()
    for job in wf.jobs:
        # (node, event of the first callback met, or None before one was met)
        seen: set[tuple[str, str | None, str]] = set()
        stack: list[tuple[str, str | None, str]] = [(job.id, None, "")]
        while stack:
            node, event, first_on = stack.pop()
            for target, on in successors.get(node, []):
                met = event if event is not None else events.get(target)
                # a path that meets no callback (straight job to job) keeps its first edge's event
                via = first_on or on
                # two jobs of one worker can be ordered too (the worker runs in two steps)
                if target in workers and target != job.id:
                    found.add(Order(job.worker, workers[target], met or via))
                if (target, met, via) not in seen:
                    seen.add((target, met, via))
                    stack.append((target, met, via))
    return found
