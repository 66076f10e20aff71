"""The `graph` pipeline: scan -> prefilter -> parse -> index -> analyse -> lint, data in and data out.

This module reads the tree and answers from the result cache when it can; the stages after
reading (pipeline.py) are imported only when they run, so a cached run loads no parser.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from batch2flow import cache
from batch2flow.cache_index import TreeStat
from batch2flow.ir import Graph
from batch2flow.reading import Progress, facts_for, read_tree
from batch2flow.scanner import DEFAULT_MAX_BYTES, ScanResult

if TYPE_CHECKING:
    from batch2flow.lint.model import Finding


@dataclass(frozen=True)
class Settings:
    """How a run reads the tree: none of it changes the result, only how soon it comes."""

    #: processes reading the files (reading.py)
    jobs: int = 1
    #: parse only the files that can matter (prefilter.py)
    prefilter: bool = True
    #: the folder of the result cache (cache.py); None: no cache
    cache: Path | None = None
    progress: Progress | None = None


def build_graph(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES,
                settings: Settings = Settings()) -> Graph:
    return graph_and_findings(paths, max_bytes, settings)[0]


def graph_and_findings(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES,
                       settings: Settings = Settings()) -> tuple[Graph, list[Finding]]:
    """The graph, whose diagnostics are the lint findings (so `graph` and `lint` agree), and
    the findings themselves with their fixes."""
    stat = TreeStat(_head(paths, max_bytes, settings), paths) if settings.cache is not None else None
    if settings.cache is not None and stat is not None:
        # the files' metadata unchanged since a run that cached its result: not one is read
        found = _cached(settings.cache, stat.content_key(settings.cache))
        if found is not None:
            return found
    # with a cache, the prefilter's facts wait for a miss: a hit needs only the texts
    tree = read_tree(paths, max_bytes, settings.jobs, settings.progress, facts=settings.cache is None)
    entry = _cache_key(paths, max_bytes, settings, tree.scan) if settings.cache is not None else None
    if settings.cache is not None and entry is not None:
        found = _cached(settings.cache, entry)
        if found is not None:
            if stat is not None:
                stat.remember(settings.cache, entry)
            return found
    from batch2flow import pipeline

    facts = tree.facts if tree.facts is not None else facts_for(tree.scan.files, settings.jobs)
    result = pipeline.analyse(paths, tree.scan, facts, settings)
    if settings.cache is not None and entry is not None:
        cache.store(settings.cache, entry, result)
        if stat is not None:
            stat.remember(settings.cache, entry)
    return result


def _cached(folder: Path, entry: str | None) -> tuple[Graph, list[Finding]] | None:
    cached = cache.load(folder, entry) if entry is not None else None
    if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], Graph):
        return cached[0], list(cached[1])
    return None


def _head(paths: list[str], max_bytes: int, settings: Settings) -> list[str]:
    """What the result depends on besides the files: the version, the options, the gems
    (some rules read them) and whether Ruby can confirm a syntax error."""
    from batch2flow import __version__
    from batch2flow.lint.gems import gems_of

    return [__version__, str(max_bytes), str(settings.prefilter), *paths, "\0",
            *sorted(gems_of(paths)), "\0", shutil.which("ruby") or ""]


def _cache_key(paths: list[str], max_bytes: int, settings: Settings, scanned: ScanResult) -> str:
    """Everything the result is made of: the head, the files and what scanning said of them."""
    files = [part for f in scanned.files for part in (f.display, cache.content_hash(f.text))]
    return cache.key([*_head(paths, max_bytes, settings), *files, *map(repr, scanned.diagnostics)])
