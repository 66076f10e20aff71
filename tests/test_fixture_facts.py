"""Every fixture against the facts written by hand in its `expected_facts.json`.

The facts come from Sidekiq's documented semantics, not from running this tool:
which workers each workflow runs, which must wait for which, which must stay
parallel, and which diagnostics the fixture provokes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, workflow_named
from reachability import are_independent, is_after

from batch2flow.graph import build_graph
from batch2flow.ir import Graph

FACT_FILES = sorted(FIXTURES.glob("*/expected_facts.json"))


def _load(path: Path) -> tuple[Graph, dict[str, object]]:
    return build_graph([str(path.parent)]), json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("facts_file", FACT_FILES, ids=lambda p: p.parent.name)
def test_workflows_match_facts(facts_file: Path) -> None:
    graph, facts = _load(facts_file)
    expected = facts["workflows"]
    assert isinstance(expected, dict)
    assert sorted(w.name for w in graph.workflows) == sorted(expected)
    for name, want in expected.items():
        workflow = workflow_named(graph, name)
        assert f"{workflow.entry.file}:{workflow.entry.line}" == want["entry"], name
        # placeholders (workers known only at run time) are counted by their diagnostics
        assert {j.worker for j in workflow.jobs if not j.placeholder} == set(want["workers"]), name
        for first, then in want.get("before", []):
            assert is_after(workflow, first, then), f"{name}: {then} must wait for {first}"
        for one, other in want.get("independent", []):
            assert are_independent(workflow, one, other), f"{name}: {one} and {other} are parallel"
        fan_out = {j.worker for j in workflow.jobs if j.fan_out and not j.placeholder}
        assert fan_out == set(want.get("fan_out", [])), name
        conditional = {j.worker for j in workflow.jobs if j.condition and not j.placeholder}
        assert conditional == set(want.get("conditional", [])), name


@pytest.mark.parametrize("facts_file", FACT_FILES, ids=lambda p: p.parent.name)
def test_diagnostics_match_facts(facts_file: Path) -> None:
    graph, facts = _load(facts_file)
    found = sorted({(d.code, d.file, d.line) for d in graph.diagnostics})
    wanted = facts["diagnostics"]
    assert isinstance(wanted, list)
    assert found == sorted({(d["code"], d["file"], d["line"]) for d in wanted})
