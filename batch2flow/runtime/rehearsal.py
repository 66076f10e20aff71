"""Rehearsal mode: run the generated flows with every Sidekiq job simulated.

The state is module-level behind a lock, not a contextvar: Prefect runs tasks in worker
threads that do not inherit the context of the code that entered the rehearsal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

Event = dict[str, object]


@dataclass
class Rehearsal:
    """What one rehearsal recorded; lists grow while the flows run."""

    #: workers whose every job fails (fully qualified names)
    fail: frozenset[str]
    #: how long a simulated job takes
    job_seconds: float
    #: how long the jobs of these workers take instead (seeded, varied durations let a
    #: test see a job that waits for something it does not depend on)
    durations: Mapping[str, float] = field(default_factory=dict)
    #: untranslated Ruby the flows stepped on, one line each, first occurrence order
    notes: list[str] = field(default_factory=list)
    #: workflows started with start_workflow: `{"workflow": name, "t": seconds, "parameters":
    #: {...}, "flow": the flow run's name that started it}`
    started: list[Event] = field(default_factory=list)
    #: job events as in the `rehearse --trace` contract: worker, event, t, flow
    events: list[Event] = field(default_factory=list)
    #: when each flow run began: `{"flow": name, "t": seconds}`
    flow_starts: list[Event] = field(default_factory=list)
    #: callbacks fired, for the timeline (not the trace, which is the jobs'):
    #: `{"callback": "Klass#method", "event": success | complete | death, "t": seconds, "flow": name}`
    callbacks: list[Event] = field(default_factory=list)
    _trace: Callable[[Event], None] | None = field(default=None, repr=False)
    _t0: float = field(default_factory=time.monotonic, repr=False)

    def clock(self) -> float:
        """Seconds since the rehearsal began, on the clock all flows share."""
        return round(time.monotonic() - self._t0, 3)

    def emit(self, worker: str, event: str, flow: str | None) -> None:
        # Under the lock, so `t` grows along `events` and the trace file.
        with _lock:
            record: Event = {"worker": worker, "event": event, "t": self.clock(), "flow": flow}
            self.events.append(record)
            if self._trace is not None:
                self._trace(record)

    def emit_at(self, worker: str, event: str, flow: str | None, monotonic: float | None) -> None:
        """An event that happened at `monotonic` (seconds of `time.monotonic()`'s clock, as
        the Ruby bridge reports it), or now; kept in time order."""
        at = self.clock() if monotonic is None else round(monotonic - self._t0, 3)
        with _lock:
            record: Event = {"worker": worker, "event": event, "t": at, "flow": flow}
            self.events.append(record)
            self.events.sort(key=lambda e: float(e["t"]))  # type: ignore[arg-type]
            if self._trace is not None:
                self._trace(record)

    def callback(self, target: str, event: str, flow: str | None) -> None:
        with _lock:
            self.callbacks.append({"callback": target, "event": event, "t": self.clock(), "flow": flow})

    def note(self, text: str) -> None:
        with _lock:
            if text not in self.notes:
                self.notes.append(text)

    def start(self, workflow: str, parameters: dict[str, object] | None = None,
              flow: str | None = None) -> None:
        with _lock:
            self.started.append({"workflow": workflow, "t": self.clock(), "parameters": parameters or {},
                                 "flow": flow})

    def seconds(self, worker: str) -> float:
        """How long one simulated job of `worker` takes."""
        return self.durations.get(worker, self.job_seconds)


_lock = threading.RLock()
_active: Rehearsal | None = None


def active_rehearsal() -> Rehearsal | None:
    """The rehearsal in progress, or None in real mode."""
    return _active


def flow_started() -> None:
    """Note that a flow run began (a generated flow calls this first, through WorkflowRun)."""
    current = _active
    if current is None:
        return
    from prefect.runtime import flow_run

    name = flow_run.flow_name
    with _lock:
        current.flow_starts.append({"flow": name if isinstance(name, str) else None, "t": current.clock()})


@contextmanager
def rehearsal(
    fail: Iterable[str] = (),
    trace: Callable[[Event], None] | None = None,
    job_seconds: float = 0.02,
    durations: Mapping[str, float] | None = None,
) -> Iterator[Rehearsal]:
    """Simulate every Sidekiq job, process-wide, until the block exits."""
    global _active
    with _lock:
        if _active is not None:
            raise RuntimeError("a rehearsal is already running in this process")
        _active = Rehearsal(frozenset(fail), job_seconds, dict(durations or {}), _trace=trace)
        current = _active
    try:
        yield current
    finally:
        with _lock:
            _active = None
