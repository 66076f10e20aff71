"""`render_json`: the version-1 contract of shared/contracts.md, plus its extensions."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

import pytest
from ir_factory import callback, graph, job, sample_graph, span, workflow
from reachability import reachable_from

from batch2flow.ir import Batch, Edge, Graph
from batch2flow.render.json_format import render_json

WORKFLOW_KEYS = ["name", "entry", "jobs", "edges",
                 "starter", "params", "batches", "callbacks", "starts", "entry_point"]
JOB_KEYS = ["id", "worker", "file", "line", "fan_out",
            "via", "batch", "condition", "spawned_by", "placeholder", "args", "delay", "loop"]


def _doc(g: Graph | None = None) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(render_json(sample_graph() if g is None else g))
    return out


def _one_edge(edge: Edge) -> dict[str, Any]:
    g = graph(workflow(batches=(Batch("b1", span(1), None, None, None),),
                       jobs=(job("j1", "A", 2), job("j2", "B", 3)), edges=(edge,)))
    edges: list[dict[str, Any]] = _doc(g)["workflows"][0]["edges"]
    assert len(edges) == 1
    return edges[0]


def test_top_level_is_the_contract_in_order() -> None:
    doc = _doc()
    assert list(doc) == ["version", "workflows", "diagnostics", "workers"]
    assert doc["version"] == 1
    assert [wf["name"] for wf in doc["workflows"]] == ["nightly_report", "cleanup_flow"]


def test_workflow_keys_lead_with_the_contract_fields() -> None:
    wf = _doc()["workflows"][0]
    assert list(wf) == WORKFLOW_KEYS
    assert wf["entry"] == {"file": "app/services/nightly_report.rb", "line": 5}
    assert wf["starter"] == "NightlyReport#call"
    assert wf["params"] == ["date"]


def test_job_fields_and_types() -> None:
    jobs = _doc()["workflows"][0]["jobs"]
    assert [j["id"] for j in jobs] == ["j1", "j2", "j3", "j4", "j5"]
    for j in jobs:
        assert list(j) == JOB_KEYS
        assert isinstance(j["id"], str) and isinstance(j["worker"], str)
        assert isinstance(j["file"], str) and isinstance(j["line"], int)
        assert isinstance(j["fan_out"], bool) and isinstance(j["args"], list)
    by_id = {j["id"]: j for j in jobs}
    assert by_id["j1"]["worker"] == "Billing::ChargeWorker"
    assert by_id["j3"]["fan_out"] is True and by_id["j1"]["fan_out"] is False
    assert by_id["j4"]["placeholder"] is True and by_id["j4"]["condition"] == "opts[:deep]"
    assert by_id["j5"]["batch"] is None and by_id["j5"]["spawned_by"] == "c1"


def test_every_ir_edge_appears_exactly_once() -> None:
    g = sample_graph()
    for ir_wf, out_wf in zip(g.workflows, _doc(g)["workflows"], strict=True):
        written = Counter((e["from"], e["to"], e["on"]) for e in out_wf["edges"])
        assert written == Counter((e.source, e.target, e.on) for e in ir_wf.edges)


def test_reachability_is_preserved() -> None:
    g = sample_graph()
    ir_wf, out_wf = g.workflows[0], _doc(g)["workflows"][0]
    successors: dict[str, set[str]] = defaultdict(set)
    for e in out_wf["edges"]:
        successors[e["from"]].add(e["to"])

    def reach(node: str) -> set[str]:
        seen: set[str] = set()
        todo = list(successors[node])
        while todo:
            if (n := todo.pop()) not in seen:
                seen.add(n)
                todo += successors[n]
        return seen

    for j in ir_wf.jobs:
        assert reach(j.id) == reachable_from(ir_wf, j.id)
    # the two parallel jobs stay independent
    assert "j2" not in reach("j1") and "j1" not in reach("j2")


@pytest.mark.parametrize(("edge", "expected"), [
    pytest.param(Edge("j1", "j2", "success"), {"from": "j1", "to": "j2", "on": "success"},
                 id="plain_edge_has_only_contract_keys"),
    pytest.param(Edge("j1", "j2", "death", condition="status.failures > 0"),
                 {"from": "j1", "to": "j2", "on": "death", "condition": "status.failures > 0"},
                 id="condition_added"),
    pytest.param(Edge("j1", "j1", "complete", loop=True),
                 {"from": "j1", "to": "j1", "on": "complete", "loop": True},
                 id="loop_added"),
])
def test_edge_optional_keys(edge: Edge, expected: dict[str, Any]) -> None:
    out = _one_edge(edge)
    assert out == expected
    assert list(out) == list(expected)


def test_extensions_batches_callbacks_starts() -> None:
    wf = _doc()["workflows"][0]
    assert wf["batches"][1] == {"id": "b2", "file": "app/services/nightly_report.rb", "line": 9,
                                "parent": "b1", "description": None, "callback_queue": None,
                                "created_by": None}
    assert wf["batches"][0]["callback_queue"] == "critical"
    c1, _, c3 = wf["callbacks"]
    assert list(c1) == ["id", "batch", "event", "target", "file", "line", "options",
                        "condition", "placeholder", "method", "repeats", "registered_by"]
    assert c1["method"] == {"file": "app/workers/report_callbacks.rb", "line": 1}
    assert c3["repeats"] == "c3"
    assert wf["starts"] == [{"id": "s1", "workflow": "cleanup_flow",
                             "file": "app/workers/report_callbacks.rb", "line": 4,
                             "spawned_by": "c1", "condition": "status.failures.zero?",
                             "restart": False, "args": []}]


def test_callback_without_method_is_null() -> None:
    g = graph(workflow(callbacks=(callback("c1", "success", "X#y", 3, method_span=None),)))
    assert _doc(g)["workflows"][0]["callbacks"][0]["method"] is None


def test_workers_and_diagnostics() -> None:
    g = sample_graph()
    doc = _doc(g)
    assert doc["diagnostics"] == [d.to_json() for d in g.diagnostics]
    assert doc["diagnostics"][0]["severity"] == "error"
    assert doc["workers"][0] == {"name": "Billing::ChargeWorker", "kind": "sidekiq",
                                 "file": "app/workers/charge.rb", "line": 1,
                                 "perform_params": ["id"], "queue": "billing", "retry": 5,
                                 "perform_kinds": []}


def test_empty_graph() -> None:
    assert _doc(graph()) == {"version": 1, "workflows": [], "diagnostics": [], "workers": []}


def test_output_is_indented_and_keeps_unicode() -> None:
    g = graph(workflow(jobs=(job("j1", "Ünïcode::Wörker", 2, batch=None),)))
    text = render_json(g)
    assert text.endswith("}\n") and text.startswith('{\n  "version": 1,')
    assert "Ünïcode::Wörker" in text
