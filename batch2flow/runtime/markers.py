"""Stand-ins the converter writes where it could not translate Ruby.

A real run stops at the first one, naming the place to edit; a rehearsal goes on with a
harmless stand-in (and notes it) so the rest of the workflow can still be seen.
"""

from __future__ import annotations

from typing import TypeVar

from batch2flow.runtime.errors import UntranslatedRuby
from batch2flow.runtime.rehearsal import active_rehearsal

T = TypeVar("T")


def ruby_value(source: str, where: str) -> object:
    """An untranslated Ruby expression; rehearsed as the string `<ruby: source>`."""
    return _stand_in(source, where, f"<ruby: {source}>")


def ruby_condition(source: str, where: str) -> bool:
    """An untranslated Ruby condition; rehearsed as true so the guarded step is seen."""
    return _stand_in(source, where, True)


def ruby_items(source: str, where: str, row_width: int | None = None) -> list[object]:
    """An untranslated Ruby collection; rehearsed as two items so a fan-out shows as one.
    With `row_width` (the rows of a bulk enqueue), each item is a row of that many values."""
    items: list[object] = [f"<ruby: {source}>[{i}]" for i in range(2)]
    if row_width is not None:
        items = [[f"{item}[{j}]" for j in range(row_width)] for item in items]
    return _stand_in(source, where, items)


def _stand_in(source: str, where: str, value: T) -> T:
    current = active_rehearsal()
    if current is None:
        raise UntranslatedRuby(source, where)
    current.note(f"{where}: untranslated Ruby {source!r} rehearsed as {value!r}")
    return value
