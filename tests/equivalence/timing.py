"""Check the flows' timing in both directions: no job starts before what it waits for
has ended, and none starts later than it could.

A flow that serialises jobs Sidekiq runs in parallel still runs every job in a
permitted order, so an order check alone cannot see it. Each case therefore gives
one worker (chosen from a seed) a long simulated job and the others short ones; a
job that waits for the long one without depending on it starts about that long
too late. What a job may wait for comes from the graph: the jobs it is ordered
after (every job of them ended), those it follows only through their death (the
first death), and in the flow also the job that enqueued it (the flow submits a
job's enqueues once that job ran).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from equivalence.compare import Mismatch

#: how long the long job of a case takes, and how late a job may start: Prefect's
#: own overhead (a task run, a thread, a concurrency-slot request) on a loaded
#: 2-core machine stays well under it
LONG_SECONDS = 1.0
TOLERANCE_SECONDS = 0.5
SHORT_SECONDS = (0.002, 0.02)


def durations(case: str, workers: Iterable[str]) -> dict[str, float]:
    """Seeded by the case name: the same durations on every run of the suite."""
    ordered = sorted(workers)
    rng = random.Random(case)
    chosen = {w: round(rng.uniform(*SHORT_SECONDS), 4) for w in ordered}
    if ordered:
        chosen[rng.choice(ordered)] = LONG_SECONDS
    return chosen


@dataclass
class Timeline:
    """When each worker's jobs started and ended in one flow run (seconds)."""

    begin: float | None = None
    starts: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: ends of jobs that succeeded or died
    ends: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    deaths: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def timeline(events: Iterable[Mapping[str, object]], flow_starts: Iterable[Mapping[str, object]],
             flow: str) -> Timeline:
    found = Timeline()
    for start in flow_starts:
        if start["flow"] == flow:
            found.begin = float(start["t"])  # type: ignore[arg-type]
    for event in events:
        if event["flow"] != flow:
            continue
        worker, t = str(event["worker"]), float(event["t"])  # type: ignore[arg-type]
        if event["event"] == "start":
            found.starts[worker].append(t)
        else:
            found.ends[worker].append(t)
            if event["event"] == "fail":
                found.deaths[worker].append(t)
    return found


Pairs = AbstractSet[tuple[str, str]]


def timing_mismatches(case: str, line: Timeline, after_all: Pairs, after_first_death: Pairs,
                      flow_waits: Pairs = frozenset(), long: str | None = None) -> list[Mismatch]:
    """`after_all`: (A, B) where B may start only once every A job ended;
    `after_first_death`: (A, B) where B follows A only through A's death;
    `flow_waits`: further (A, B) the flow may wait for, though Sidekiq does not;
    `long`: the worker given the long job. A job counts as late when it started more
    than the tolerance after it could, and after the long job ended: it waited for
    that job. (Prefect's own overhead grows with the number of tasks a flow submits at
    once, so lateness alone, with no long job to wait for, is not a finding.)"""
    found: list[Mismatch] = []
    for worker in sorted(line.starts):
        first = min(line.starts[worker])
        strict = {a for a, b in after_all if b == worker and a != worker and line.ends.get(a)}
        through_death = {a for a, b in after_first_death - after_all
                         if b == worker and a != worker and line.deaths.get(a)}
        for earlier in sorted(strict):
            if first < max(line.ends[earlier]):
                found.append(Mismatch(case, f"{earlier} -> {worker}", "", "after", "started before it ended"))
        for earlier in sorted(through_death):
            if first < min(line.deaths[earlier]):
                found.append(Mismatch(case, f"{earlier} -> {worker}", "", "after its death",
                                      "started before it died"))
        waited = {a for a, b in flow_waits if b == worker and a != worker and line.ends.get(a)}
        ready = max([line.begin or 0.0]
                    + [max(line.ends[a]) for a in strict | waited]
                    + [min(line.deaths[a]) for a in through_death])
        waited_for_long = long is not None and bool(line.ends.get(long)) and first >= max(line.ends[long])
        if waited_for_long and first - ready > TOLERANCE_SECONDS:
            found.append(Mismatch(case, worker, "", f"could start at {ready:.2f}s",
                                  f"started at {first:.2f}s, {first - ready:.2f}s {LATE}"))
    return found


LATE = "late"


def confirmed(check: Callable[[], list[Mismatch]]) -> list[Mismatch]:
    """Run `check`, and once more when it found a job that started late: a late start
    counts only when it happens again.

    The throwaway Prefect API keeps its records in SQLite, and now and then answers a
    task's concurrency-slot request with 503 while another write holds the database;
    Prefect's client then waits 2 s before it asks again. That delay lands on a random
    job; one that a flow's shape causes lands on the same job every time."""
    first = check()
    if not any(m.flow.endswith(LATE) for m in first):
        return first
    again = {m.worker for m in check() if m.flow.endswith(LATE)}
    return [m for m in first if not m.flow.endswith(LATE) or m.worker in again]
