"""The nesting of batches: which batches Sidekiq counts inside which."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from batch2flow.ir import Batch


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
