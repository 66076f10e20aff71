"""Which scanned files can matter to the graph, decided from their text before any parsing.

Most of a Rails tree (models, controllers, views' helpers, specs) holds no batch and no
enqueue, and parsing it and walking its trees is most of the time `graph` takes. A file is
kept when it can change the graph or a lint finding:

- it mentions a batch, an enqueue, a job class, a callback or what the lint rules look for
  (`KEYWORDS`, a superset: a false match only costs time), or has a method outside every
  class (Ruby makes it a method of every object);
- it defines a constant (class, module, `NAME = ...`) whose name a kept file mentions:
  the analysis follows calls, superclasses, mixins and constant tables into it;
- it mentions a class or module a kept file of the first or this kind defines, other than
  as a bare namespace: a caller of a starter, a subclass of a worker.

Names are compared by their last segment, so `Billing::Invoice` and `Invoice` meet: that
keeps more than Ruby's lookup would, never less. A file left out is not parsed, so a syntax
error in it goes unreported: it could change no workflow.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from batch2flow.scanner import SourceFile
from batch2flow.text_facts import Facts, facts_of


@dataclass(frozen=True)
class Selection:
    """Per scanned file, in order: whether to parse it (and index its definitions), and
    whether to read its code too (workflows, schedules, lint rules): only the files that
    mention what those look for."""

    parse: tuple[bool, ...]
    read: tuple[bool, ...]


def everything(count: int) -> Selection:
    return Selection((True,) * count, (True,) * count)


def select(files: Sequence[SourceFile], facts: Sequence[Facts] | None = None) -> Selection:
    """The files that can matter (see the module's docstring); `facts`, each file's, when
    they were computed as the files were read."""
    found = [facts_of(f.text) for f in files] if facts is None else list(facts)
    seeds = [fact.seed for fact in found]
    return Selection(tuple(_closure(files, found, seeds)), tuple(seeds))


def _closure(files: Sequence[SourceFile], facts: list[Facts], seeds: list[bool]) -> list[bool]:
    """Keep what kept files name (forward) and, from the seeds and the files kept for
    naming them, what names them (reverse): a walk over two inverted indexes."""
    others = [fact for fact, seed in zip(facts, seeds, strict=True) if not seed]
    numbers = [i for i, seed in enumerate(seeds) if not seed]
    definers = _inverted(numbers, [fact.defines for fact in others])
    namers = _inverted(numbers, [fact.tokens for fact in others])
    # 0: left out; 1: kept for its definitions; 2: kept, and what names it is kept too
    state = [2 if seed else 0 for seed in seeds]
    found = _Found()
    todo = [i for i, seed in enumerate(seeds) if seed]
    while todo:
        more: list[tuple[int, int]] = []
        for i in todo:
            fact = facts[i]
            more += [(j, 1) for name in fact.tokens - found.mentioned for j in definers.get(name, ())]
            found.mentioned |= fact.tokens
            if state[i] == 2:
                own = fact.owns - found.callers_of
                more += [(j, 2) for name in own for j in namers.get(name, ())]
                found.callers_of |= own
            found.top_methods.update(fact.top_methods)
        calls = found.new_bare_calls()
        if calls is not None:
            more += [(j, 2) for j, source in enumerate(files) if state[j] < 2 and _calls(source.text, calls)]
        todo = []
        for j, level in sorted(more):
            if state[j] < level:
                state[j] = level
                todo.append(j)
    return [level > 0 for level in state]


def _inverted(numbers: list[int], names: list[frozenset[str]]) -> dict[str, list[int]]:
    """Name -> the files (by number) that have it."""
    found: dict[str, list[int]] = {}
    for i, these in zip(numbers, names, strict=True):
        for name in these:
            found.setdefault(name, []).append(i)
    return found


class _Found:
    """What the kept files have shown so far."""

    def __init__(self) -> None:
        #: constants the kept files mention: their definitions are kept
        self.mentioned: set[str] = set()
        #: classes whose callers and subclasses are kept
        self.callers_of: set[str] = set()
        #: methods outside every class: callable from anywhere, by their bare name
        self.top_methods: set[str] = set()
        self._asked: set[str] = set()

    def new_bare_calls(self) -> tuple[tuple[str, ...], re.Pattern[str]] | None:
        """The top-level methods not looked for yet: as literals (a quick test first) and
        as one pattern."""
        names = sorted(self.top_methods - self._asked)
        self._asked |= self.top_methods
        if not names:
            return None
        return tuple(names), re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")(?![\w?!])")


def _calls(text: str, calls: tuple[tuple[str, ...], re.Pattern[str]]) -> bool:
    names, pattern = calls
    return any(name in text for name in names) and pattern.search(text) is not None
