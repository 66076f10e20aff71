"""Each fixture's rendered graph equals its reviewed golden file, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from goldens import fixture_dirs, render_all


@pytest.mark.parametrize("fixture", fixture_dirs(), ids=lambda p: p.name)
def test_golden_outputs(fixture: Path) -> None:
    rendered = render_all(fixture)
    for name in rendered:
        golden = fixture / name
        assert golden.is_file(), f"missing {golden}; run `python tests/goldens.py`"
        assert rendered[name] == golden.read_text(encoding="utf-8"), (
            f"{golden} is out of date; run `python tests/goldens.py` and review the diff")


@pytest.mark.parametrize("fixture", fixture_dirs(), ids=lambda p: p.name)
def test_no_golden_is_left_over(fixture: Path) -> None:
    """A flow golden whose workflow disappeared would otherwise go unnoticed."""
    goldens = {p.relative_to(fixture).as_posix() for p in (fixture / "expected_flows").glob("*.py")}
    assert goldens == {name for name in render_all(fixture) if name.startswith("expected_flows/")}


@pytest.mark.parametrize("fixture", fixture_dirs(), ids=lambda p: p.name)
def test_goldens_are_not_empty(fixture: Path) -> None:
    """A golden of an empty graph would lock in a converter that found nothing. A workflow
    without jobs is only right where the Ruby raises before pushing any."""
    document = json.loads((fixture / "expected_graph.json").read_text(encoding="utf-8"))
    assert document["workflows"]
    for workflow in document["workflows"]:
        assert workflow["jobs"] or workflow.get("raises"), (
            f"{fixture.name}: workflow {workflow['name']} has no jobs")
