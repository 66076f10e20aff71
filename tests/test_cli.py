"""The `batch2flow graph` command as a user runs it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from batch2flow.cli import main

SEED = str(FIXTURES / "seed_pipeline")
BAD = str(FIXTURES / "bad_input")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_json_is_the_only_thing_on_stdout():
    result = run("graph", SEED, "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert [w["name"] for w in document["workflows"]] == ["data_pipeline"]


def test_errors_give_exit_1_and_stay_in_the_json():
    result = run("graph", BAD, "--format", "json")
    assert result.exit_code == 1
    codes = {d["code"] for d in json.loads(result.stdout)["diagnostics"]}
    assert {"B2F010", "B2F101"} <= codes


def test_text_is_the_default():
    result = run("graph", SEED)
    assert result.exit_code == 0
    assert result.stdout.startswith("workflow data_pipeline  (DataPipeline.start,")
    assert "job j3 Flow1Task1Worker" in result.stdout


def test_mermaid_prints_diagnostics_with_a_caret_on_stderr():
    result = run("graph", BAD, "--format", "mermaid")
    assert result.exit_code == 1
    assert "```mermaid\nflowchart TD\n" in result.stdout
    assert "B2F" not in result.stdout
    line = next(ln for ln in result.stderr.splitlines() if "B2F101" in ln)
    assert line.startswith("app/") and ":sucess" in line
    following = result.stderr.splitlines()
    caret = following[following.index(line) + 2]
    assert caret.strip() == "^"


@pytest.mark.parametrize("args", [["graph"], ["graph", "/no/such/dir"],
                                  ["graph", SEED, "--format", "yaml"]])
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_internal_errors_are_reported_without_a_traceback(monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("batch2flow.graph.graph_and_findings", explode)
    result = run("graph", SEED)
    assert result.exit_code == 3
    assert "internal error: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.stderr


def test_several_paths_are_read_together():
    single = FIXTURES / "jobs_blocks"
    result = run("graph", SEED, str(single), "--format", "json")
    names = [w["name"] for w in json.loads(result.stdout)["workflows"]]
    assert "data_pipeline" in names and len(names) > 1
