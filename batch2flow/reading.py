"""Read the tree and take each file's prefilter facts, in several processes when asked.

Reading and the cheap text tests are most of what happens before parsing, and each file
is read on its own, so `-j N` splits them over N processes (the parsed trees themselves
cannot cross processes). The result is the same, in the same order, for any N.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from batch2flow.diagnostics import Diagnostic
from batch2flow.scanner import ScanResult, SourceFile, read_source, ruby_paths
from batch2flow.text_facts import Facts, facts_of

#: below this many files, starting processes costs more than it saves
_PARALLEL_FROM = 200
#: (stage, done, total): how far the reading is, for a progress bar
Progress = Callable[[str, int, int], None]

_Item = tuple[str, str, int, bool]
T = TypeVar("T")
R = TypeVar("R")
_Read = tuple[SourceFile | None, Diagnostic | None, Facts | None]


@dataclass(frozen=True)
class ReadTree:
    scan: ScanResult
    #: each file of `scan.files`' facts, in the same order; None when not asked for
    facts: tuple[Facts, ...] | None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def read_tree(paths: list[str], max_bytes: int, jobs: int = 1, progress: Progress | None = None,
              facts: bool = True) -> ReadTree:
    items = [(str(path), display, max_bytes, facts) for path, display in ruby_paths(paths)]
    results: list[_Read] = []
    # reading alone is quicker than sending the texts back from other processes
    for result in _map(_read_one, items, jobs if facts else 1):
        results.append(result)
        if progress is not None:
            progress("files scanned", len(results), len(items))
    files = [(source, fact) for source, _problem, fact in results if source is not None]
    problems = tuple(problem for _source, problem, _fact in results if problem is not None)
    found = tuple(fact for _, fact in files if fact is not None) if facts else None
    return ReadTree(ScanResult(tuple(s for s, _ in files), problems), found)


def facts_for(files: Sequence[SourceFile], jobs: int = 1) -> tuple[Facts, ...]:
    """The facts of files read without them: the processes get the texts by forking."""
    global _SHARED
    _SHARED = files
    try:
        return tuple(_map(_facts_at, range(len(files)), jobs, fork_only=True))
    finally:
        _SHARED = ()


def _map(work: Callable[[T], R], items: Sequence[T], jobs: int, fork_only: bool = False) -> Iterator[R]:
    """`map`, in `jobs` processes when there are enough items to be worth it."""
    forks = "fork" in multiprocessing.get_all_start_methods()
    if jobs <= 1 or len(items) < _PARALLEL_FROM or (fork_only and not forks):
        yield from map(work, items)
        return
    # fork where there is one: the children start at once, with every module loaded
    with multiprocessing.get_context("fork" if forks else None).Pool(jobs) as pool:
        yield from pool.imap(work, items, chunksize=max(1, len(items) // (jobs * 8)))


def _read_one(item: _Item) -> _Read:
    path, display, max_bytes, facts = item
    source, problem = read_source(Path(path), display, max_bytes)
    return source, problem, facts_of(source.text) if source is not None and facts else None


#: the files `facts_for` works on, for the processes it forks
_SHARED: Sequence[SourceFile] = ()


def _facts_at(number: int) -> Facts:
    return facts_of(_SHARED[number].text)
