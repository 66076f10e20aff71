"""Sidekiq's happens-before between the nodes of one workflow, as edges.

- A `:success` or `:complete` callback runs after every job of its batch and of all
  its descendant batches (including jobs added later by reopening the batch), and
  after the callbacks of those descendant batches; but not after what a `:death`
  callback of that subtree adds to it (`batch_tree.after_a_death`).
- A `:death` callback runs once some job of the batch (or of a descendant batch)
  died: after that job, not after the others nor after the child callbacks. Its
  edges from the jobs are conditional, each holding only when its job dies.
- What a callback enqueues, starts or registers runs after the callback; so does
  anything those jobs enqueue in turn (a job's own enqueues are not after the job:
  they may start while it still runs).
The unconditional edges are transitively reduced: the same reachability, fewer lines
to draw. Edges into a `:death` callback are all kept, and no path through one stands
in for another edge: each says something only about runs where its job died.
"""

from __future__ import annotations

from collections import defaultdict

from batch2flow.analysis.builder import WorkflowBuilder
from batch2flow.batch_tree import after_a_death, subtrees
from batch2flow.ir import Callback, Edge


def happens_before(workflow: WorkflowBuilder) -> list[Edge]:
    edges = _dedupe(_callback_inputs(workflow) + _callback_outputs(workflow))
    on_death = {cb.id for cb in workflow.callbacks.values() if cb.event == "death"}
    deaths: list[Edge] = []
    others: list[Edge] = []
    for edge in edges:
        into_death = edge.target in on_death and edge.source in workflow.jobs
        (deaths if into_death else others).append(edge)
    loops = [
        Edge(cb.id, cb.repeats, cb.event, loop=True)
        for cb in workflow.callbacks.values() if cb.repeats is not None
    ]
    # back in the order they were found, so output stays stable
    kept = {(e.source, e.target) for e in _reduce(others) + deaths}
    return [e for e in edges if (e.source, e.target) in kept] + loops


def _callback_inputs(workflow: WorkflowBuilder) -> list[Edge]:
    below = subtrees(workflow.batches.values())
    jobs_in: dict[str, list[str]] = defaultdict(list)
    for job in workflow.jobs.values():
        if job.batch is not None:
            jobs_in[job.batch].append(job.id)
    callbacks_on: dict[str, list[Callback]] = defaultdict(list)
    for callback in workflow.callbacks.values():
        callbacks_on[callback.batch].append(callback)
    raced = after_a_death(workflow.batches.values(), workflow.jobs.values(), workflow.callbacks.values())
    edges: list[Edge] = []
    for callback in workflow.callbacks.values():
        subtree = below[callback.batch]
        for batch_id in subtree:
            edges.extend(Edge(j, callback.id, callback.event) for j in jobs_in[batch_id]
                         if callback.batch not in raced.get(j, ()))
        if callback.event == "death":
            continue
        for batch_id in subtree[1:]:
            edges.extend(Edge(c.id, callback.id, callback.event) for c in callbacks_on[batch_id]
                         if callback.batch not in raced.get(c.id, ()))
    return edges


def _callback_outputs(workflow: WorkflowBuilder) -> list[Edge]:
    spawner = {job.id: job.spawned_by for job in workflow.jobs.values()}
    edges: list[Edge] = []
    spawned = [(j.id, j.spawned_by, j.condition) for j in workflow.jobs.values()]
    spawned += [(s.id, s.spawned_by, s.condition) for s in workflow.starts.values()]
    # a callback registered by a callback's code can only fire after that one ran
    spawned += [(c.id, c.registered_by, c.condition) for c in workflow.callbacks.values()]
    for node_id, parent, condition in spawned:
        # walk up through jobs that enqueued jobs to the callback that began the chain
        while parent is not None and parent in spawner:
            parent = spawner[parent]
        if parent is not None and parent in workflow.callbacks:
            event = workflow.callbacks[parent].event
            edges.append(Edge(parent, node_id, event, condition))
    return edges


def _dedupe(edges: list[Edge]) -> list[Edge]:
    seen: dict[tuple[str, str], Edge] = {}
    for edge in edges:
        seen.setdefault((edge.source, edge.target), edge)
    return list(seen.values())


def _reduce(edges: list[Edge]) -> list[Edge]:
    """Drop every edge whose target is still reachable from its source without it."""
    successors: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        successors[edge.source].append(edge.target)
    order = _topological(successors, edges)
    if order is None:
        return edges  # not acyclic: keep every edge rather than guess
    bit = {node: 1 << i for i, node in enumerate(order)}
    reach: dict[str, int] = {}
    for node in reversed(order):
        mask = 0
        for nxt in successors[node]:
            mask |= bit[nxt] | reach[nxt]
        reach[node] = mask
    kept = []
    for edge in edges:
        others = [n for n in successors[edge.source] if n != edge.target]
        if not any(reach[n] & bit[edge.target] for n in others):
            kept.append(edge)
    return kept


def _topological(successors: dict[str, list[str]], edges: list[Edge]) -> list[str] | None:
    nodes = list(dict.fromkeys([e.source for e in edges] + [e.target for e in edges]))
    indegree = {n: 0 for n in nodes}
    for edge in edges:
        indegree[edge.target] += 1
    ready = [n for n in nodes if indegree[n] == 0]
    order: list[str] = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for nxt in successors[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    return order if len(order) == len(nodes) else None
