"""Read the tree and take each file's prefilter facts, in several processes when asked.

Reading and the cheap text tests are most of what happens before parsing, and each file
is read on its own, so `-j N` splits them over N processes (the parsed trees themselves
cannot cross processes). The result is the same, in the same order, for any N.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from batch2flow.diagnostics import Diagnostic
from batch2flow.prefilter import Facts, facts_of
from batch2flow.scanner import ScanResult, SourceFile, read_source, ruby_paths

#: below this many files, starting processes costs more than it saves
_PARALLEL_FROM = 200
#: (stage, done, total): how far the reading is, for a progress bar
Progress = Callable[[str, int, int], None]

_Item = tuple[str, str, int]
_Read = tuple[SourceFile | None, Diagnostic | None, Facts | None]


@dataclass(frozen=True)
class ReadTree:
    scan: ScanResult
    #: each file of `scan.files`' facts, in the same order
    facts: tuple[Facts, ...]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def read_tree(paths: list[str], max_bytes: int, jobs: int = 1, progress: Progress | None = None) -> ReadTree:
    items = [(str(path), display, max_bytes) for path, display in ruby_paths(paths)]
    results: list[_Read] = []
    for result in _map(items, jobs):
        results.append(result)
        if progress is not None:
            progress("files scanned", len(results), len(items))
    files = [(source, facts) for source, _problem, facts in results
             if source is not None and facts is not None]
    problems = tuple(problem for _source, problem, _facts in results if problem is not None)
    return ReadTree(ScanResult(tuple(s for s, _ in files), problems), tuple(f for _, f in files))


def _map(items: list[_Item], jobs: int) -> Iterator[_Read]:
    if jobs <= 1 or len(items) < _PARALLEL_FROM:
        yield from map(_read_one, items)
        return
    # fork where there is one: the children start at once, with every module loaded
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with multiprocessing.get_context(method).Pool(jobs) as pool:
        yield from pool.imap(_read_one, items, chunksize=max(1, len(items) // (jobs * 8)))


def _read_one(item: _Item) -> _Read:
    path, display, max_bytes = item
    source, problem = read_source(Path(path), display, max_bytes)
    return source, problem, facts_of(source.text) if source is not None else None
