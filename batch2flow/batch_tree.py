"""The nesting of batches: which batches Sidekiq counts inside which."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from batch2flow.ir import Batch, Callback, Job


def subtrees(batches: Iterable[Batch]) -> dict[str, list[str]]:
    """Each batch id with itself and every batch below it, parents before children."""
    batches = list(batches)
    children: dict[str, list[str]] = defaultdict(list)
    for batch in batches:
        if batch.parent is not None:
            children[batch.parent].append(batch.id)
    result: dict[str, list[str]] = {}
    for batch in batches:
        # breadth first: the list is the queue, read from `found[index]` on
        found, index = [batch.id], 0
        while index < len(found):
            found.extend(children[found[index]])
            index += 1
        result[batch.id] = found
    return result


def after_a_death(batches: Iterable[Batch], jobs: Iterable[Job],
                  callbacks: Iterable[Callback]) -> dict[str, set[str]]:
    """Each node a `:death` callback set off (what its code enqueues, creates or registers,
    and what those do in turn), with the batches whose callbacks do not wait for it.

    A `:death` fires once a job has exhausted its retries; by then the `:complete` of the
    dying job's batch, and of the batches above it, may have run, and their own `:death`
    has fired already. So what that callback adds to one of those batches, even by
    reopening it, is nothing their callbacks wait for: Sidekiq gives no order there."""
    batches, callbacks = list(batches), list(callbacks)
    parent = {batch.id: batch.parent for batch in batches}
    deaths = {cb.id: cb.batch for cb in callbacks if cb.event == "death"}
    actors: dict[str, str | None] = {job.id: job.spawned_by for job in jobs}
    actors.update((cb.id, cb.registered_by) for cb in callbacks)
    actors.update((batch.id, batch.created_by) for batch in batches)
    # the batches above each death callback among an actor and those that set it off in
    # turn, each chain walked once: a chain of N callbacks each registering the next would
    # otherwise be walked N times
    above = {actor: _above(batch, parent) for actor, batch in deaths.items()}
    reach = union_along(actors, actors, lambda actor: above.get(actor, frozenset()))
    raced: dict[str, set[str]] = {}
    for node, actor in actors.items():
        found = reach[actor] if actor is not None else frozenset()
        if found:
            raced[node] = set(found)
    return raced


def union_along(starts: Iterable[str], next_of: Mapping[str, str | None],
                own: Callable[[str], frozenset[str]]) -> dict[str, frozenset[str]]:
    """For each of `starts` and every node after it (`next_of`, None or a missing key
    ending a chain): the union of `own` over that node and those after it, a cycle taken
    once. Each node is visited once, however many chains share it."""
    known: dict[str, frozenset[str]] = {}
    for start in starts:
        path: dict[str, None] = {}  # in walk order
        node: str | None = start
        while node is not None and node not in known and node not in path:
            path[node] = None
            node = next_of.get(node)
        found = known[node] if node is not None and node in known else frozenset()
        walked = list(path)
        if node is not None and node in path:  # back to its own path: each node of the cycle reaches all
            cycle = walked[walked.index(node):]
            found = found.union(*(own(n) for n in cycle))
            known.update((n, found) for n in cycle)
            walked = walked[:len(walked) - len(cycle)]
        for node in reversed(walked):
            found = found | own(node)
            known[node] = found
    return known


def _above(batch: str | None, parent: dict[str, str | None]) -> frozenset[str]:
    """`batch` and every batch above it."""
    found: set[str] = set()
    while batch is not None and batch not in found:
        found.add(batch)
        batch = parent.get(batch)
    return frozenset(found)
