"""Read the tree, and take each file's prefilter facts, in several processes when asked.

The cheap text tests are most of what happens before parsing, and each file's stand on
their own, so `-j N` splits them over N processes (the parsed trees themselves cannot
cross processes). The result is the same, in the same order, for any N.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from batch2flow.scanner import ScanResult, SourceFile, scan
from batch2flow.text_facts import Facts, facts_of

#: below this many files, starting processes costs more than it saves
_PARALLEL_FROM = 200
#: (stage, done, total): how far the reading is, for a progress bar
Progress = Callable[[str, int, int], None]

R = TypeVar("R")


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def read_tree(paths: list[str], max_bytes: int, progress: Progress | None = None) -> ScanResult:
    """Every Ruby file, as `scan` reads it."""
    heard = None if progress is None else lambda done, total: progress("files scanned", done, total)
    return scan(paths, max_bytes, heard)


def facts_for(files: Sequence[SourceFile], jobs: int = 1,
              heard: Callable[[int, Facts], None] | None = None) -> tuple[Facts, ...]:
    """Each file's facts, in order: the processes get the texts by forking, and send back
    only the facts (reading in this process is quicker than sending texts back).
    `heard(number, facts)` is called here as each file's facts come in, so this process
    can work on them (parse a file that is certain to be parsed) while the others go on."""
    global _SHARED
    _SHARED = files
    found: list[Facts] = []
    try:
        for number, facts in enumerate(_map(_facts_at, len(files), jobs)):
            if heard is not None:
                heard(number, facts)
            found.append(facts)
    finally:
        _SHARED = ()
    return tuple(found)


def _map(work: Callable[[int], R], count: int, jobs: int) -> Iterator[R]:
    """`map` over `range(count)`, in `jobs` forked processes when there are enough items to
    be worth it (where there is no fork, in this one)."""
    if jobs <= 1 or count < _PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(work, range(count))
        return
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(work, range(count), chunksize=max(1, count // (jobs * 8)))


#: the files `facts_for` works on, for the processes it forks
_SHARED: Sequence[SourceFile] = ()


def _facts_at(number: int) -> Facts:
    return facts_of(_SHARED[number].text)
