"""Which part of the flow body each node belongs to, and in what order the parts run.

The body has one block for the starter and one per callback that fires. A node
belongs to the block of the callback whose run set it in motion (following jobs
that enqueue jobs back to that callback). A callback's block needs every block that
adds a job to the batches it waits for, and the block that registers it, so every
job it waits for has been submitted before it runs (what a `:death` callback adds to
a batch it fired for is no such job: `batch_tree.after_a_death`); `order` lists the blocks so that
each comes after the blocks it needs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from batch2flow.batch_tree import after_a_death, subtrees
from batch2flow.ir import Workflow

#: the block of the starter itself
STARTER = ""


@dataclass
class Blocks:
    #: block key (a callback id, or STARTER) -> node ids in creation order
    members: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: node id -> its block key
    block_of: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    #: callback block key -> the block keys it needs (STARTER included)
    needs: dict[str, set[str]] = field(default_factory=dict)
    #: node -> the batches whose callbacks do not wait for it (`batch_tree.after_a_death`)
    raced: dict[str, set[str]] = field(default_factory=dict)


def build_blocks(workflow: Workflow) -> Blocks:
    actor_of: dict[str, str | None] = {}
    for job in workflow.jobs:
        actor_of[job.id] = job.spawned_by
    for batch in workflow.batches:
        actor_of[batch.id] = batch.created_by
    for cb in workflow.callbacks:
        actor_of[cb.id] = cb.registered_by
    for start in workflow.starts:
        actor_of[start.id] = start.spawned_by
    for raised in workflow.raises:
        actor_of[raised.id] = raised.raised_by
    callbacks = {cb.id for cb in workflow.callbacks if cb.repeats is None and not cb.placeholder}
    blocks = Blocks()
    for node in _creation_order(workflow):
        key = _trigger(node, actor_of, callbacks)
        blocks.members[key].append(node)
        blocks.block_of[node] = key
    blocks.raced = after_a_death(workflow.batches, workflow.jobs, workflow.callbacks)
    blocks.needs = _needs(workflow, blocks, callbacks)
    blocks.order = _order(blocks.needs)
    return blocks


def _creation_order(workflow: Workflow) -> list[str]:
    """Batches first (a job's batch must exist), then jobs, starts and callbacks; raises
    last, since nothing their code did after them is in the graph."""
    return ([b.id for b in workflow.batches] + [j.id for j in workflow.jobs]
            + [s.id for s in workflow.starts] + [c.id for c in workflow.callbacks]
            + [r.id for r in workflow.raises])


def _trigger(node: str, actor_of: dict[str, str | None], callbacks: set[str]) -> str:
    actor = actor_of.get(node)
    while actor is not None and actor not in callbacks:
        actor = actor_of.get(actor)
    return actor or STARTER


def _needs(workflow: Workflow, blocks: Blocks, callbacks: set[str]) -> dict[str, set[str]]:
    below = subtrees(workflow.batches)
    jobs_in: dict[str, list[str]] = defaultdict(list)
    for job in workflow.jobs:
        if job.batch is not None:
            jobs_in[job.batch].append(job.id)
    needs: dict[str, set[str]] = {STARTER: set()}
    for cb in workflow.callbacks:
        if cb.id not in callbacks:
            continue
        waited = {blocks.block_of[j] for b in below[cb.batch] for j in jobs_in[b]
                  if cb.batch not in blocks.raced.get(j, ())}
        waited |= {blocks.block_of[cb.id], blocks.block_of[cb.batch]}
        needs[cb.id] = waited - {cb.id}
    return needs


def _order(needs: dict[str, set[str]]) -> list[str]:
    needs = {key: set(deps) for key, deps in needs.items()}
    order: list[str] = []
    ready = [key for key in needs if not needs[key]]
    while ready:
        ready.sort(key=_rank)
        key = ready.pop(0)
        order.append(key)
        for other, deps in needs.items():
            if key in deps:
                deps.discard(key)
                if not deps and other not in order and other not in ready:
                    ready.append(other)
    missing = set(needs) - set(order)
    if missing:
        raise ValueError(f"callbacks wait on each other in a cycle: {sorted(missing)}")
    return order


def _rank(key: str) -> int:
    return int(key[1:]) if key else 0
