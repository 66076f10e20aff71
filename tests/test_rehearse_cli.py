"""`batch2flow rehearse` as a user runs it: its own throwaway Prefect API, the timeline,
and the JSON-lines trace of the contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES

from batch2flow.cli import main

SEED = str(FIXTURES / "seed_pipeline")


def test_rehearse_with_a_failing_worker(tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "batch2flow", "rehearse", SEED, "--fail", "Flow2TaskWorker",
         "--trace", str(trace)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    # none of ours: Prefect's throwaway API (a subprocess) may still log its own trouble
    # under heavy load, such as SQLite being locked
    assert "internal error" not in result.stderr
    assert "batch2flow/" not in result.stderr, result.stderr
    assert result.stdout.startswith("flow data_pipeline: Failed")
    assert "never started" in result.stdout and "Flow3TaskWorker" in result.stdout
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    assert all(set(e) == {"worker", "event", "t", "flow"} for e in events)
    assert {e["flow"] for e in events} == {"data_pipeline"}
    assert [e["t"] for e in events] == sorted(e["t"] for e in events)
    failed = [e["worker"] for e in events if e["event"] == "fail"]
    assert failed == ["Flow2TaskWorker"]
    started = {e["worker"] for e in events if e["event"] == "start"}
    assert "Flow1Task2Worker" in started and "Flow3TaskWorker" not in started
    ended = {e["worker"]: e["t"] for e in events if e["event"] == "end"}
    begun = {e["worker"]: e["t"] for e in events if e["event"] == "start"}
    assert ended["Flow1Task1Worker"] <= begun["Flow1Task2Worker"]


def test_an_unknown_worker_to_fail_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["rehearse", SEED, "--fail", "NoSuchWorker"])
    assert result.exit_code == 2
    assert "NoSuchWorker" in result.output
