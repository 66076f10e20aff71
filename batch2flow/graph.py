"""The `graph` pipeline: scan -> parse -> index -> analyse -> lint, data in and data out."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from batch2flow.analysis.builder import DiagnosticSink
from batch2flow.analysis.schedules import schedules_from_files
from batch2flow.analysis.unreached import unreached_batches
from batch2flow.analysis.worker_table import worker_table
from batch2flow.analysis.workflows import analyse_workflows
from batch2flow.diagnostics import SYNTAX_ERROR, Diagnostic
from batch2flow.ir import Graph
from batch2flow.nesting import too_deep
from batch2flow.parsing import parse
from batch2flow.ruby.indexer import build_index
from batch2flow.scanner import DEFAULT_MAX_BYTES, scan
from batch2flow.syntax_check import confirmed

if TYPE_CHECKING:
    from batch2flow.lint.model import Finding


def build_graph(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES) -> Graph:
    return graph_and_findings(paths, max_bytes)[0]


def graph_and_findings(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Graph, list[Finding]]:
    """The graph, whose diagnostics are the lint findings (so `graph` and `lint` agree), and
    the findings themselves with their fixes."""
    from batch2flow.lint.check import lint_analysis

    scanned = scan(paths, max_bytes)
    sink = DiagnosticSink()
    for problem in scanned.diagnostics:
        sink.add(problem)
    parsed = []
    errors: list[Diagnostic] = []
    for source in scanned.files:
        tree, found = parse(source)
        deep = too_deep(tree)
        if deep is not None:  # set aside before any stage reads it (see nesting.py)
            sink.add(deep)
            continue
        parsed.append(tree)
        errors += found
    texts = {tree.path: tree.source.text for tree in parsed}
    for error in confirmed([e for e in errors if e.code == SYNTAX_ERROR.code], texts):
        sink.add(error)
    for error in errors:
        if error.code != SYNTAX_ERROR.code:
            sink.add(error)
    index = build_index(parsed)
    workflows = analyse_workflows(index, sink)
    for problem in unreached_batches(parsed, workflows, index):
        sink.add(problem)
    schedules = tuple(sorted(schedules_from_files(parsed, index).items()))
    graph = Graph(tuple(workflows), tuple(worker_table(index)), tuple(sink.sorted()), schedules,
                  files_read=len(scanned.files))
    findings = lint_analysis(graph, index, parsed, paths)
    return replace(graph, diagnostics=tuple(f.diagnostic for f in findings)), findings
