"""The `graph` pipeline: scan -> prefilter -> parse -> index -> analyse -> lint, data in and data out."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from batch2flow import cache
from batch2flow.analysis.builder import DiagnosticSink
from batch2flow.analysis.schedules import schedules_from_files
from batch2flow.analysis.unreached import unreached_batches
from batch2flow.analysis.worker_table import worker_table
from batch2flow.analysis.workflows import analyse_workflows
from batch2flow.diagnostics import SYNTAX_ERROR, Diagnostic
from batch2flow.ir import Graph
from batch2flow.parsing import ParsedFile, parse
from batch2flow.prefilter import Selection, everything, select
from batch2flow.reading import Progress, ReadTree, read_tree
from batch2flow.ruby.indexer import build_index
from batch2flow.scanner import DEFAULT_MAX_BYTES, ScanResult
from batch2flow.syntax_check import confirmed

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
    tree = read_tree(paths, max_bytes, settings.jobs, settings.progress)
    entry = _cache_key(paths, max_bytes, settings, tree.scan) if settings.cache is not None else None
    if settings.cache is not None and entry is not None:
        cached = cache.load(settings.cache, entry)
        if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], Graph):
            return cached[0], list(cached[1])
    result = _analyse(paths, tree, settings)
    if settings.cache is not None and entry is not None:
        cache.store(settings.cache, entry, result)
    return result


def _cache_key(paths: list[str], max_bytes: int, settings: Settings, scanned: ScanResult) -> str:
    """Everything the result is made of: the files, what scanning said of them, the gems
    (some rules read them) and whether Ruby can confirm a syntax error."""
    from batch2flow import __version__
    from batch2flow.lint.gems import gems_of

    head = [__version__, str(max_bytes), str(settings.prefilter), *paths, "\0",
            *sorted(gems_of(paths)), "\0", shutil.which("ruby") or ""]
    files = [part for f in scanned.files for part in (f.display, cache.content_hash(f.text))]
    return cache.key([*head, *files, *map(repr, scanned.diagnostics)])


def _analyse(paths: list[str], tree: ReadTree, settings: Settings) -> tuple[Graph, list[Finding]]:
    """Parse the files that can matter, then index, analyse and lint."""
    from batch2flow.lint.check import lint_analysis

    scanned = tree.scan
    sink = DiagnosticSink()
    for problem in scanned.diagnostics:
        sink.add(problem)
    chosen = select(scanned.files, tree.facts) if settings.prefilter else everything(len(scanned.files))
    parsed, read, errors = _parse_chosen(scanned, chosen, settings.progress)
    texts = {source.display: source.text for source in scanned.files}
    for error in confirmed([e for e in errors if e.code == SYNTAX_ERROR.code], texts):
        sink.add(error)
    for error in errors:
        if error.code != SYNTAX_ERROR.code:
            sink.add(error)
    index = build_index(parsed)
    workflows = analyse_workflows(index, sink)
    for problem in unreached_batches(read, workflows, index):
        sink.add(problem)
    schedules = tuple(sorted(schedules_from_files(read, index).items()))
    graph = Graph(tuple(workflows), tuple(worker_table(index)), tuple(sink.sorted()), schedules)
    findings = lint_analysis(graph, index, parsed, paths, read, scanned.files)
    return replace(graph, diagnostics=tuple(f.diagnostic for f in findings)), findings


def _parse_chosen(scanned: ScanResult, chosen: Selection, progress: Progress | None
                  ) -> tuple[list[ParsedFile], list[ParsedFile], list[Diagnostic]]:
    """The files parsed, those of them whose code is read too, and the parser's complaints."""
    parsed: list[ParsedFile] = []
    read: list[ParsedFile] = []
    errors: list[Diagnostic] = []
    total = sum(chosen.parse)
    for source, parsing, reading in zip(scanned.files, chosen.parse, chosen.read, strict=True):
        if not parsing:
            continue
        tree, found = parse(source)
        parsed.append(tree)
        errors += found
        if reading:
            read.append(tree)
        if progress is not None:
            progress("files parsed", len(parsed), total)
    return parsed, read, errors
