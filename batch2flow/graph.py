"""The `graph` pipeline: scan -> parse -> index -> analyse, data in and data out."""

from __future__ import annotations

from batch2flow.analysis.builder import DiagnosticSink
from batch2flow.analysis.schedules import schedules_from_files
from batch2flow.analysis.worker_table import worker_table
from batch2flow.analysis.workflows import analyse_workflows
from batch2flow.ir import Graph
from batch2flow.parsing import parse
from batch2flow.ruby.indexer import build_index
from batch2flow.scanner import DEFAULT_MAX_BYTES, scan


def build_graph(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES) -> Graph:
    scanned = scan(paths, max_bytes)
    sink = DiagnosticSink()
    for problem in scanned.diagnostics:
        sink.add(problem)
    parsed = []
    for source in scanned.files:
        tree, errors = parse(source)
        parsed.append(tree)
        for error in errors:
            sink.add(error)
    index = build_index(parsed)
    workflows = analyse_workflows(index, sink)
    schedules = tuple(sorted(schedules_from_files(parsed, index).items()))
    return Graph(tuple(workflows), tuple(worker_table(index)), tuple(sink.sorted()), schedules)
