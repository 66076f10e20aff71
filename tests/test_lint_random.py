"""The lint rules run inside every `build_graph`: on the generated workflows of the
equivalence suite (every shape it writes) they must never crash, and find no error."""

from __future__ import annotations

import tempfile
from pathlib import Path

from equivalence.random_ruby import ruby_workflow
from equivalence.random_workflows import WorkflowSpec, workflows
from hypothesis import HealthCheck, given, settings

from batch2flow.diagnostics import Severity
from batch2flow.graph import graph_and_findings


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=workflows())
def test_lint_reads_every_generated_workflow(spec: WorkflowSpec) -> None:
    ruby = ruby_workflow(spec)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path, source in ruby.files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(source, encoding="utf-8")
        graph, findings = graph_and_findings([str(root)])
    assert graph.diagnostics == tuple(f.diagnostic for f in findings)
    lint_errors = [f.diagnostic for f in findings
                   if f.diagnostic.code.startswith("B2F3") and f.diagnostic.severity is Severity.ERROR]
    assert lint_errors == []
