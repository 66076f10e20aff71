"""What the prefilter (prefilter.py) needs to know of one file, read off its text alone.

Computed where the file is read, in the reading processes (reading.py). Every test is a
superset of what it stands for: a false match keeps a file for nothing but time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEYWORDS = re.compile(
    r"[Bb]atch|perform|push_bulk|Sidekiq|ActiveJob|ApplicationJob|on_(?:success|complete|death)"
    r"|[:'\"](?:success|complete|death)\b|callback|jobs\b|bid\b|failure_info|sleep\b|periodic"
)
#: a file holding none of these cannot match `KEYWORDS`: `in` is many times faster than the
#: regular expression, and most files hold none
_LITERALS = ("Batch", "batch", "perform", "push_bulk", "Sidekiq", "ActiveJob", "ApplicationJob", "success",
             "complete", "death", "callback", "jobs", "bid", "failure_info", "sleep", "periodic")
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


def _mentions_keyword(text: str) -> bool:
    return any(word in text for word in _LITERALS) and KEYWORDS.search(text) is not None
