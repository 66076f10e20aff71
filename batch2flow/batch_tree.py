"""The nesting of batches: which batches Sidekiq counts inside which."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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
        found, queue = [], [batch.id]
        while queue:
            current = queue.pop(0)
            found.append(current)
            queue.extend(children[current])
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
    raced: dict[str, set[str]] = {}
    for node in actors:
        found: set[str] = set()
        actor, seen = actors[node], set()
        while actor is not None and actor not in seen:
            seen.add(actor)
            batch = deaths.get(actor)
            while batch is not None and batch not in found:
                found.add(batch)
                batch = parent.get(batch)
            actor = actors.get(actor)
        if found:
            raced[node] = found
    return raced
