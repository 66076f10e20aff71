"""Collects the nodes of one workflow while the interpreter runs, then freezes them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from batch2flow.diagnostics import Diagnostic
from batch2flow.ir import Batch, Callback, Job, Loop, Raise, RubyStatement, Span, Start

#: a workflow larger than this is almost surely an analysis runaway, not real code
MAX_NODES = 5000


class TooLarge(Exception):
    """The workflow grew past MAX_NODES; the interpreter stops following it."""


#: how many nodes of each kind a workflow has: batches, jobs, callbacks, starts, raises
Size = tuple[int, int, int, int, int]
T = TypeVar("T")


@dataclass
class WorkflowBuilder:
    name: str
    batches: dict[str, Batch] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    callbacks: dict[str, Callback] = field(default_factory=dict)
    starts: dict[str, Start] = field(default_factory=dict)
    raises: dict[str, Raise] = field(default_factory=dict)
    entry: Span | None = None
    #: grows with every node added or changed: code that left it alone did no orchestration
    changes: int = 0

    def _next_id(self, prefix: str, count: int) -> str:
        if len(self.batches) + len(self.jobs) + len(self.callbacks) + len(self.starts) > MAX_NODES:
            raise TooLarge(self.name)
        self.changes += 1
        return f"{prefix}{count + 1}"

    def new_batch(self, span: Span, parent: str | None, created_by: str | None,
                  loop: Loop | None = None) -> str:
        batch_id = self._next_id("b", len(self.batches))
        self.batches[batch_id] = Batch(batch_id, span, parent, None, None, created_by, loop=loop)
        if parent is None and self.entry is None:
            self.entry = span
        return batch_id

    def set_batch_attribute(self, batch_id: str, attribute: str, value: str,
                            ruby: str | None = None) -> None:
        """`ruby`: the Ruby source of a value that is no literal (a description to translate)."""
        batch = self.batches[batch_id]
        self.changes += 1
        if attribute == "description":
            self.batches[batch_id] = replace(batch, description=value, description_ruby=ruby)
        elif attribute == "callback_queue":
            self.batches[batch_id] = replace(batch, callback_queue=value)

    # Nodes are frozen, so callers pass a function that builds one from its new id.
    def add_job(self, make: Callable[[str], Job]) -> str:
        job_id = self._next_id("j", len(self.jobs))
        self.jobs[job_id] = make(job_id)
        return job_id

    def mark_fan_out(self, job_id: str) -> None:
        self.changes += 1
        self.jobs[job_id] = replace(self.jobs[job_id], fan_out=True)

    def set_other_work(self, job_id: str, statements: tuple[RubyStatement, ...]) -> None:
        self.jobs[job_id] = replace(self.jobs[job_id], other_work=statements)

    def add_callback(self, make: Callable[[str], Callback]) -> str:
        callback_id = self._next_id("c", len(self.callbacks))
        self.callbacks[callback_id] = make(callback_id)
        return callback_id

    def add_start(self, make: Callable[[str], Start]) -> str:
        start_id = self._next_id("s", len(self.starts))
        self.starts[start_id] = make(start_id)
        return start_id

    def add_raise(self, make: Callable[[str], Raise]) -> str:
        raise_id = self._next_id("r", len(self.raises))
        self.raises[raise_id] = make(raise_id)
        return raise_id

    def size(self) -> Size:
        return (len(self.batches), len(self.jobs), len(self.callbacks), len(self.starts),
                len(self.raises))

    def undo_since(self, size: Size) -> None:
        """Forget every node added since `size` was taken (ids are handed out in order, so
        the next nodes get the forgotten ids again)."""
        _truncate(self.batches, size[0])
        _truncate(self.jobs, size[1])
        _truncate(self.callbacks, size[2])
        _truncate(self.starts, size[3])
        _truncate(self.raises, size[4])

    def parent_of(self, batch_id: str) -> str | None:
        return self.batches[batch_id].parent


def _truncate(table: dict[str, T], count: int) -> None:
    for node_id in list(table)[count:]:
        del table[node_id]


@dataclass
class DiagnosticSink:
    """Collects diagnostics once per place: a site read by several workflows reports once."""

    found: dict[tuple[str, int, int, str], Diagnostic] = field(default_factory=dict)

    def add(self, diagnostic: Diagnostic) -> None:
        key = (diagnostic.file, diagnostic.line, diagnostic.col, diagnostic.code)
        self.found.setdefault(key, diagnostic)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.found.values())
