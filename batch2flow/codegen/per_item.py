"""Batches built once per item of a loop, in the translated flows.

`accounts.each { |a| b = Sidekiq::Batch.new; b.on(:complete, ...); b.jobs { ... } }`
makes one batch per account, and each account's callback waits for that account's
jobs only. The flow lays the loop's code out as a function it calls once per item
(`run.each(items, each_b1)`): each call builds its own `Batch` and defines its own
callback blocks, which close over that call's batch, never over the last item's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from batch2flow.codegen.names import NameTable, to_var
from batch2flow.codegen.workflow_nodes import WorkflowNodes
from batch2flow.ir import Batch, Workflow


class PerItemBatches:
    """Which nodes of a workflow belong to the code of a per-item batch, and the Python
    name each per-item loop's item has."""

    def __init__(self, workflow: Workflow, nodes: WorkflowNodes, below: Mapping[str, list[str]],
                 names: NameTable) -> None:
        self.batches, self.jobs, self.callbacks = nodes.batches, nodes.jobs, nodes.callbacks
        self.starts, self.raises = nodes.starts, nodes.raises
        self.below = below
        #: per-item batch id -> (Ruby name of its item, Python name of the function's parameter)
        self.items: dict[str, tuple[str, str]] = {}
        for batch in workflow.batches:
            if batch.loop is not None:
                ruby = batch.loop.variables[0] if batch.loop.variables else ""
                self.items[batch.id] = (ruby, names.name(f"item:{batch.id}", to_var(ruby or "_item")))

    def loop_of(self, batch_id: str) -> Batch | None:
        batch = self.batches.get(batch_id)
        return batch if batch is not None and batch.loop is not None else None

    def members(self, batch_id: str, order: Iterable[str]) -> list[str]:
        """The nodes of `order` (one block's members, in layout order) written inside the
        loop body with `batch_id`: the batch and those below it, the jobs and callbacks in
        them, and what those jobs' performs do in turn."""
        inside: list[str] = []
        taken: set[str] = set()
        for node in order:
            if self._belongs(node, batch_id, taken):
                inside.append(node)
                taken.add(node)
        return inside

    def _belongs(self, node: str, batch_id: str, taken: set[str]) -> bool:
        below = self.below[batch_id]
        if node in self.batches:
            return node in below
        if node in self.jobs:
            job = self.jobs[node]
            return job.batch in below or job.spawned_by in taken
        if node in self.callbacks:
            cb = self.callbacks[node]
            return cb.batch in below or cb.registered_by in taken
        if node in self.starts:
            return self.starts[node].spawned_by in taken
        if node in self.raises:
            return self.raises[node].raised_by in taken
        return False

    def names_around(self, batch_id: str | None, actor: str | None) -> dict[str, str]:
        """Ruby item name -> Python name, for code of `actor` in `batch_id`'s jobs block:
        the items of the per-item batches around it that the same code built."""
        names: dict[str, str] = {}
        while batch_id is not None:
            batch = self.batches[batch_id]
            if batch.created_by != actor:
                break
            ruby, python = self.items.get(batch_id, ("", ""))
            if ruby:
                names.setdefault(ruby, python)
            batch_id = batch.parent
        return names
