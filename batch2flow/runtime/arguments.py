"""A job's argument list as Sidekiq gets it: exactly the values it was enqueued with.

A Ruby `perform(id, mode = 'full')` enqueued with one argument runs with `mode` at
its Ruby default; sending `nil` in its place would change what the job does. A task
for such a worker declares its optional parameters with `OMITTED` as the default,
and `sent_arguments` drops them again before the job reaches the bridge.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Omitted(enum.Enum):
    """The default of a task parameter whose Ruby parameter is optional."""

    OMITTED = "omitted"

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED = Omitted.OMITTED


def sent_arguments(args: Iterable[object]) -> list[object]:
    """The arguments without the trailing `OMITTED` ones: the list the job was enqueued with.
    (Parameters bind from the left, so an omitted one is never followed by a given one.)"""
    found = list(args)
    while found and found[-1] is OMITTED:
        found.pop()
    if any(arg is OMITTED for arg in found):
        raise ValueError("an argument was omitted before one that was given")
    return found


def bulk_rows(rows: Iterable[object]) -> list[list[object]]:
    """The argument lists of a `perform_bulk` / `push_bulk`, one per job. Like Sidekiq,
    refuse anything but a list of lists (`Bulk arguments must be an Array of Arrays`)."""
    table = list(rows) if isinstance(rows, (list, tuple)) else [None]
    found = [list(row) for row in table if isinstance(row, (list, tuple))]
    if len(found) != len(table):
        raise TypeError(f"bulk arguments must be a list of lists, one per job: [[1], [2]]; got {rows!r}")
    return found
