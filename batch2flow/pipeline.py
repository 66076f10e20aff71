"""The stages after reading: prefilter, parse, index, analyse, lint (see graph.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from batch2flow.analysis.builder import DiagnosticSink
from batch2flow.analysis.schedules import schedules_from_files
from batch2flow.analysis.unreached import unreached_batches
from batch2flow.analysis.worker_table import worker_table
from batch2flow.analysis.workflows import analyse_workflows
from batch2flow.diagnostics import SYNTAX_ERROR, Diagnostic
from batch2flow.ir import Graph
from batch2flow.lint.check import FORK_FROM_FILES, lint_analysis, start_graph_free
from batch2flow.lint.gems import gems_of
from batch2flow.nesting import too_deep
from batch2flow.parsing import ParsedFile, parse
from batch2flow.prefilter import Selection, everything, select
from batch2flow.reading import Progress, facts_for
from batch2flow.ruby.indexer import build_index
from batch2flow.ruby.nodes import as_call
from batch2flow.scanner import ScanResult
from batch2flow.syntax_check import confirmed
from batch2flow.text_facts import Facts

if TYPE_CHECKING:
    from batch2flow.graph import Settings
    from batch2flow.lint.model import Finding


def analyse(paths: list[str], scanned: ScanResult, settings: Settings) -> tuple[Graph, list[Finding]]:
    """Choose the files that can matter, parse them, then index, analyse and lint."""
    try:
        return _analyse(paths, scanned, settings)
    finally:
        as_call.cache_clear()  # its entries hold this run's trees


def _analyse(paths: list[str], scanned: ScanResult, settings: Settings) -> tuple[Graph, list[Finding]]:
    sink = DiagnosticSink()
    for problem in scanned.diagnostics:
        sink.add(problem)
    chosen, parsed_early = _choose(scanned, settings)
    parsed, read, errors = _parse_chosen(scanned, chosen, settings.progress, sink, parsed_early)
    syntax = [e for e in errors if e.code == SYNTAX_ERROR.code]
    broken = {e.file for e in syntax}
    texts = {source.display: source.text for source in scanned.files if source.display in broken}
    for error in confirmed(syntax, texts):
        sink.add(error)
    for error in errors:
        if error.code != SYNTAX_ERROR.code:
            sink.add(error)
    index = build_index(parsed)
    gems = gems_of(paths)
    # with a second core, the rules that need no graph run in a child meanwhile
    early = start_graph_free(index, parsed, paths, read, gems) \
        if settings.jobs > 1 and len(read) >= FORK_FROM_FILES else None
    try:
        workflows = analyse_workflows(index, sink, _stage(settings.progress, "workflows read"))
        for problem in unreached_batches(read, workflows, index):
            sink.add(problem)
        schedules = tuple(sorted(schedules_from_files(read, index).items()))
    except BaseException:
        if early is not None:
            early.cancel()
        raise
    graph = Graph(tuple(workflows), tuple(worker_table(index)), tuple(sink.sorted()), schedules,
                  files_read=len(scanned.files))
    findings = lint_analysis(graph, index, parsed, paths, read, scanned.files, gems,
                             _stage(settings.progress, "lint rules run"), early)
    return replace(graph, diagnostics=tuple(f.diagnostic for f in findings)), findings


def _choose(scanned: ScanResult, settings: Settings
            ) -> tuple[Selection, dict[int, tuple[ParsedFile, list[Diagnostic]]]]:
    """The files to parse and read (prefilter.py), and those of them parsed already."""
    parsed_early: dict[int, tuple[ParsedFile, list[Diagnostic]]] = {}
    if not settings.prefilter:
        return everything(len(scanned.files)), parsed_early

    # a file that mentions a keyword is parsed whatever else the facts say: this process
    # parses each as its facts come in, while the other processes take the next files'
    def parse_seed(number: int, facts: Facts) -> None:
        if facts.seed:
            parsed_early[number] = parse(scanned.files[number])

    return select(scanned.files, facts_for(scanned.files, settings.jobs, parse_seed)), parsed_early


def _parse_chosen(scanned: ScanResult, chosen: Selection, progress: Progress | None, sink: DiagnosticSink,
                  parsed_early: dict[int, tuple[ParsedFile, list[Diagnostic]]]
                  ) -> tuple[list[ParsedFile], list[ParsedFile], list[Diagnostic]]:
    """The files parsed (some of them already, `parsed_early`, by number), those of them
    whose code is read too, and the parser's complaints. A file nested too deeply is set
    aside (its diagnostic into `sink`) before any stage reads it (see nesting.py)."""
    parsed: list[ParsedFile] = []
    read: list[ParsedFile] = []
    errors: list[Diagnostic] = []
    total = sum(chosen.parse)
    for number, (source, parsing, reading) in enumerate(zip(scanned.files, chosen.parse, chosen.read,
                                                           strict=True)):
        if not parsing:
            continue
        tree, found = parsed_early.pop(number) if number in parsed_early else parse(source)
        deep = too_deep(tree)
        if deep is not None:
            sink.add(deep)
            continue
        parsed.append(tree)
        errors += found
        if reading:
            read.append(tree)
        if progress is not None:
            progress("files parsed", len(parsed), total)
    return parsed, read, errors


def _stage(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    return None if progress is None else lambda done, total: progress(stage, done, total)
