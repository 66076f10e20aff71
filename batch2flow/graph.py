"""The `graph` pipeline: scan -> prefilter -> parse -> index -> analyse -> lint, data in and data out.

This module reads the tree and answers from the result cache when it can; the stages after
reading (pipeline.py) are imported only when they run, so a cached run loads no parser.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from batch2flow import cache
from batch2flow.cache_index import TreeStat
from batch2flow.scanner_read import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from batch2flow.ir import Graph
    from batch2flow.lint.model import Finding
    from batch2flow.reading import Progress
    from batch2flow.scanner import ScanResult

V = TypeVar("V")


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
    run = _CacheRun(settings.cache, paths, max_bytes, settings) if settings.cache is not None else None
    return _result_and_key(paths, max_bytes, settings, run)[0]


def view_of_graph(paths: list[str], max_bytes: int, settings: Settings, view: str, kind: type[V],
                  make: Callable[[Graph, list[Finding]], V]) -> V:
    """`make(graph, findings)`, a `kind` named `view` (what a command prints, say), cached
    beside the result it is made from: a run whose files did not change since that view was
    made loads neither the graph nor a renderer, only what it prints."""
    if settings.cache is None:
        return make(*graph_and_findings(paths, max_bytes, settings))
    run = _CacheRun(settings.cache, paths, max_bytes, settings)
    if run.indexed is not None:
        found = cache.load(run.folder, _view_key(run.indexed, view))
        if isinstance(found, kind):
            return found
    result, content = _result_and_key(paths, max_bytes, settings, run)
    made = make(*result)
    if content is not None:
        cache.store(run.folder, _view_key(content, view), made)
    return made


class _CacheRun:
    """Where one run stands in the result cache, found without reading a file: what the
    result depends on besides the files (the head), the files' metadata, and the content
    key the metadata index holds for them, if it holds one (cache_index.py)."""

    def __init__(self, folder: Path, paths: list[str], max_bytes: int, settings: Settings) -> None:
        self.folder = folder
        self.head = _head(paths, max_bytes, settings)
        self.stat = TreeStat(self.head, paths)
        self.indexed = self.stat.content_key(folder)

    def content_key(self, scanned: ScanResult) -> str:
        """Everything the result is made of: the head, the files and what scanning said of them."""
        files = [part for f in scanned.files for part in (f.display, cache.content_hash(f.text))]
        return cache.key([*self.head, *files, *map(repr, scanned.diagnostics)])


def _result_and_key(paths: list[str], max_bytes: int, settings: Settings, run: _CacheRun | None
                    ) -> tuple[tuple[Graph, list[Finding]], str | None]:
    """The graph and findings, and with a cache (`run`) the content key they are kept under."""
    if run is not None:
        # the files' metadata unchanged since a run that cached its result: not one is read
        found = _cached(run.folder, run.indexed)
        if found is not None:
            return found, run.indexed
    from batch2flow.reading import read_tree

    scanned = read_tree(paths, max_bytes, settings.progress)
    if run is None:
        return _analysed(paths, scanned, settings), None
    entry = run.content_key(scanned)
    found = _cached(run.folder, entry)
    if found is None:
        found = _analysed(paths, scanned, settings)
        cache.store(run.folder, entry, found)
    run.stat.remember(run.folder, entry)
    return found, entry


def _analysed(paths: list[str], scanned: ScanResult, settings: Settings) -> tuple[Graph, list[Finding]]:
    from batch2flow import pipeline

    return pipeline.analyse(paths, scanned, settings)


def _view_key(content: str, view: str) -> str:
    return cache.key(["view", content, view])


def _cached(folder: Path, entry: str | None) -> tuple[Graph, list[Finding]] | None:
    from batch2flow.ir import Graph

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
