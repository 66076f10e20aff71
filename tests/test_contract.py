"""The JSON every fixture produces keeps the version-1 contract that outside tools read."""

from __future__ import annotations

import json
import keyword
from pathlib import Path

import pytest
from conftest import FIXTURES, workflow_named
from goldens import fixture_dirs
from reachability import is_after

from batch2flow.graph import build_graph
from batch2flow.render.json_format import render_json

EVENTS = {"success", "complete", "death"}
SEVERITIES = {"error", "warning", "info"}


def _document(fixture: Path) -> dict:
    return json.loads(render_json(build_graph([str(fixture)])))


@pytest.mark.parametrize("fixture", fixture_dirs(), ids=lambda p: p.name)
def test_contract_shape(fixture: Path) -> None:
    document = _document(fixture)
    assert document["version"] == 1
    names = [w["name"] for w in document["workflows"]]
    assert len(set(names)) == len(names)
    for workflow in document["workflows"]:
        name = workflow["name"]
        assert name.isidentifier() and not keyword.iskeyword(name) and name == name.lower()
        assert set(workflow["entry"]) == {"file", "line"}
        assert (fixture / workflow["entry"]["file"]).is_file()
        ids = {n["id"] for key in ("jobs", "callbacks", "starts", "batches") for n in workflow[key]}
        for job in workflow["jobs"]:
            assert isinstance(job["line"], int) and job["line"] >= 1
            assert isinstance(job["fan_out"], bool)
            assert job["placeholder"] or not job["worker"].startswith("::")
            assert (fixture / job["file"]).is_file()
        for edge in workflow["edges"]:
            assert edge["from"] in ids and edge["to"] in ids
            assert edge["on"] in EVENTS
    for diagnostic in document["diagnostics"]:
        assert diagnostic["severity"] in SEVERITIES
        assert diagnostic["line"] >= 1 and diagnostic["col"] >= 1
        assert diagnostic["code"].startswith("B2F")


TASKS = ["Flow1Task1Worker", "Flow1Task2Worker", "Flow2TaskWorker", "Flow3TaskWorker",
         "Flow4Task1Worker", "Flow4Task2Worker"]
#: flow1 = task1 then task2, in parallel with flow2; flow3 after both; flow4 = task1 then task2
SEED_ORDER = {
    ("Flow1Task1Worker", "Flow1Task2Worker"),
    ("Flow1Task1Worker", "Flow3TaskWorker"), ("Flow1Task2Worker", "Flow3TaskWorker"),
    ("Flow2TaskWorker", "Flow3TaskWorker"),
    *{(a, b) for a in TASKS[:4] for b in ("Flow4Task1Worker", "Flow4Task2Worker")},
    ("Flow4Task1Worker", "Flow4Task2Worker"),
}


def test_seed_pipeline_is_exactly_the_article_order() -> None:
    workflow = workflow_named(build_graph([str(FIXTURES / "seed_pipeline")]), "data_pipeline")
    found = {(a, b) for a in TASKS for b in TASKS if a != b and is_after(workflow, a, b)}
    assert found == SEED_ORDER
