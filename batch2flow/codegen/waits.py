"""What a callback block's work waits for, as the `wait_for=` of its submits.

In a chain of steps each registered by the previous step's callback, a step's work
waits for its own batch and for every batch of the steps before it: a step that
enqueues a job per item may enqueue none, and then passes no wait on to the next.
Written out in full, the waits of N steps would hold N²/2 entries; instead a block
whose list the blocks nested in it repeat names that list once
(`after_success_b3 = [*b3.succeeded(), *b2.succeeded()]`), and each nested block waits
for its own batch and that name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NamedWaits:
    """A list of futures a callback block named (its own waits), read in a block nested in it."""

    name: str


#: what a callback's work waits for: `b1.succeeded()`-style lists of futures, the
#: variables of single futures (the job that enqueued it) first, and named lists
Waits = tuple[str | NamedWaits, ...]


def wait_for(waits: Waits) -> str | None:
    """The `wait_for=` value: one list as it is, else one list of them all."""
    if not waits:
        return None
    if len(waits) == 1 and not _single(waits[0]):
        return waits[0].name if isinstance(waits[0], NamedWaits) else waits[0]
    return "[" + ", ".join(_element(w) for w in waits) + "]"


def list_value(waits: Waits) -> str:
    """`waits` as one list, empty or not (a named list is always a list)."""
    return wait_for(waits) or "[]"


def repeats(waits: tuple[str, ...], outer: tuple[str, ...]) -> bool:
    """`waits` ends with `outer` (the waits of the block it is nested in), and naming
    that list saves something (it holds two waits or more)."""
    return len(outer) >= 2 and len(waits) >= len(outer) and waits[len(waits) - len(outer):] == outer


def _single(wait: str | NamedWaits) -> bool:
    return isinstance(wait, str) and wait.isidentifier()


def _element(wait: str | NamedWaits) -> str:
    if isinstance(wait, NamedWaits):
        return f"*{wait.name}"
    return wait if wait.isidentifier() else f"*{wait}"
