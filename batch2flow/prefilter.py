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
keeps more than Ruby's lookup would, never less.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from batch2flow.scanner import SourceFile

KEYWORDS = re.compile(
    r"[Bb]atch|perform|push_bulk|Sidekiq|ActiveJob|ApplicationJob|on_(?:success|complete|death)"
    r"|[:'\"](?:success|complete|death)\b|callback|jobs\b|bid\b|failure_info|sleep\b|periodic"
)
#: a file holding none of these cannot match `KEYWORDS`: `in` is many times faster than the
#: regular expression, and most files hold none
_LITERALS = ("atch", "perform", "push_bulk", "Sidekiq", "ActiveJob", "ApplicationJob", "success",
             "complete", "death", "callback", "jobs", "bid", "failure_info", "sleep", "periodic")
#: `class A::B < C`, `module A`: the name being defined, with its namespace
#: `class A::B < C`, `module A`: each word a literal, which the search skips to quickly
_CLASS = re.compile(r"class[ \t]+((?:::)?[A-Z][\w:]*)")
_MODULE = re.compile(r"module[ \t]+((?:::)?[A-Z][\w:]*)")
_TOP_DEF = re.compile(r"^def[ \t]+(?:self\.)?([\w?!=]+)", re.MULTILINE)
#: every capitalised word (also inside words, `fooBar`: a superset, found faster than with a
#: word boundary), with what follows it when it is assigned (`STEPS = [...]`, `X ||= 1`)
_CONSTANT_TOKEN = re.compile(r"([A-Z][A-Za-z0-9_]*)([ \t]*(?:\|\|)?=(?![=~>]))?")
#: the line after a `module X` that only wraps the next definition
_WRAPPER = re.compile(r"[ \t]*(?:class|module)[ \t]", re.ASCII)


@dataclass(frozen=True)
class Facts:
    """What the selection needs of one file's text, computed where the file is read."""

    #: mentions a keyword, or defines a method outside every class
    seed: bool
    #: every capitalised word: the constants the file may name
    tokens: frozenset[str]
    #: the constants it defines (last segment), and those with a body here (no bare namespace)
    defines: frozenset[str]
    owns: frozenset[str]
    #: methods defined outside every class
    top_methods: tuple[str, ...]


def facts_of(text: str) -> Facts:
    top = _top_methods(text)
    words = _CONSTANT_TOKEN.findall(text)
    # an assignment anywhere counts: more kept than `NAME = ...` alone would, never less
    assigned = {word for word, assigns in words if assigns}
    every, own = set(assigned), set(assigned)
    for pattern in (_CLASS, _MODULE):
        for match in pattern.finditer(text):
            if not _line_start(text, match.start()):
                continue
            leaf = match.group(1).rsplit("::", 1)[-1]
            every.add(leaf)
            if not _wraps_only(text, match.end()):
                own.add(leaf)
    return Facts(bool(top) or _mentions_keyword(text), frozenset(word for word, _ in words),
                 frozenset(every), frozenset(own), tuple(top))


def _line_start(text: str, at: int) -> bool:
    """Only blanks stand before `at` in its line."""
    return text[text.rfind("\n", 0, at) + 1 : at].strip(" \t") == ""


def _top_methods(text: str) -> list[str]:
    return _TOP_DEF.findall(text) if text.startswith("def ") or "\ndef " in text else []


def _wraps_only(text: str, end: int) -> bool:
    """The definition's next line opens another definition: a namespace, nothing more."""
    start = text.find("\n", end)
    return start != -1 and _WRAPPER.match(text, start + 1) is not None


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


def _mentions_keyword(text: str) -> bool:
    return any(word in text for word in _LITERALS) and KEYWORDS.search(text) is not None


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
