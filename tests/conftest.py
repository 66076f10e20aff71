from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from batch2flow.graph import build_graph
from batch2flow.ir import Graph, Workflow

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def ruby_tree(tmp_path: Path) -> Callable[[dict[str, str]], Graph]:
    """Write `{path: ruby}` under a temporary app folder and read it into a graph."""

    def build(files: dict[str, str]) -> Graph:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return build_graph([str(tmp_path)])

    return build


def only_workflow(graph: Graph) -> Workflow:
    assert len(graph.workflows) == 1, [w.name for w in graph.workflows]
    return graph.workflows[0]


def workflow_named(graph: Graph, name: str) -> Workflow:
    for workflow in graph.workflows:
        if workflow.name == name:
            return workflow
    raise AssertionError(f"no workflow {name}; found {[w.name for w in graph.workflows]}")


@pytest.fixture(scope="session")
def prefect_harness():
    """One ephemeral Prefect API for the whole session: it takes seconds to start."""
    from prefect.settings import temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(), temporary_settings({"flows.heartbeat_frequency": None}):
        yield
