"""The stages after reading: prefilter, parse, index, analyse, lint (see graph.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from batch2flow.analysis.builder import DiagnosticSink
from batch2flow.analysis.schedules import schedules_from_files
from batch2flow.analysis.unreached import unreached_batches
from batch2flow.analysis.worker_table import worker_table
from batch2flow.analysis.workflows import analyse_workflows
from batch2flow.diagnostics import SYNTAX_ERROR, Diagnostic
from batch2flow.ir import Graph
from batch2flow.lint.check import lint_analysis
from batch2flow.nesting import too_deep
from batch2flow.parsing import ParsedFile, parse
from batch2flow.prefilter import Selection, everything, select
from batch2flow.reading import Progress
from batch2flow.ruby.indexer import build_index
from batch2flow.scanner import ScanResult
from batch2flow.syntax_check import confirmed
from batch2flow.text_facts import Facts

if TYPE_CHECKING:
    from batch2flow.graph import Settings
    from batch2flow.lint.model import Finding


def analyse(paths: list[str], scanned: ScanResult, facts: Sequence[Facts],
            settings: Settings) -> tuple[Graph, list[Finding]]:
    """Parse the files that can matter, then index, analyse and lint."""
    sink = DiagnosticSink()
    for problem in scanned.diagnostics:
        sink.add(problem)
    chosen = select(scanned.files, facts) if settings.prefilter else everything(len(scanned.files))
    parsed, read, errors = _parse_chosen(scanned, chosen, settings.progress, sink)
    texts = {source.display: source.text for source in scanned.files}
    for error in confirmed([e for e in errors if e.code == SYNTAX_ERROR.code], texts):
        sink.add(error)
    for error in errors:
        if error.code != SYNTAX_ERROR.code:
            sink.add(error)
    index = build_index(parsed)
    workflows = analyse_workflows(index, sink, _stage(settings.progress, "workflows read"))
    for problem in unreached_batches(read, workflows, index):
        sink.add(problem)
    schedules = tuple(sorted(schedules_from_files(read, index).items()))
    graph = Graph(tuple(workflows), tuple(worker_table(index)), tuple(sink.sorted()), schedules,
                  files_read=len(scanned.files))
    findings = lint_analysis(graph, index, parsed, paths, read, scanned.files,
                             _stage(settings.progress, "lint rules run"))
    return replace(graph, diagnostics=tuple(f.diagnostic for f in findings)), findings


def _parse_chosen(scanned: ScanResult, chosen: Selection, progress: Progress | None, sink: DiagnosticSink
                  ) -> tuple[list[ParsedFile], list[ParsedFile], list[Diagnostic]]:
    """The files parsed, those of them whose code is read too, and the parser's complaints.
    A file nested too deeply is set aside (its diagnostic into `sink`) before any stage
    reads it (see nesting.py)."""
    parsed: list[ParsedFile] = []
    read: list[ParsedFile] = []
    errors: list[Diagnostic] = []
    total = sum(chosen.parse)
    for source, parsing, reading in zip(scanned.files, chosen.parse, chosen.read, strict=True):
        if not parsing:
            continue
        tree, found = parse(source)
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
