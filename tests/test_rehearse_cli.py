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
    assert result.returncode == 1, result.stderr  # the flow run failed
    # none of ours: Prefect's throwaway API (a subprocess) may still log its own trouble
    # under heavy load, such as SQLite being locked
    assert "internal error" not in result.stderr
    assert "batch2flow/" not in result.stderr, result.stderr
    assert result.stdout.startswith("flow data_pipeline: Failed")
    # each job that never started says which upstream failed
    assert ("  never started  Flow3TaskWorker: waits for Flow2TaskWorker (app/workers/flow2_worker.rb:13), "
            "which failed\n") in result.stdout
    assert "never started  Flow1Task2Worker" not in result.stdout
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


def test_rehearse_follows_a_chain_and_stops_it_where_a_step_failed(tmp_path: Path) -> None:
    """worker_values: the nightly sync's :success starts the merge step, whose :complete
    starts the export step when nothing failed. A rehearsal runs the steps after their
    callbacks, not on their own; with a fetcher failing, neither step runs."""
    fixture = str(FIXTURES / "worker_values")
    done = subprocess.run([sys.executable, "-m", "batch2flow", "rehearse", fixture, "--trace",
                           str(tmp_path / "all.jsonl")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    events = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    ended = {e["worker"]: e["t"] for e in events if e["event"] == "end"}
    begun = {e["worker"]: e["t"] for e in events if e["event"] == "start"}
    assert begun["Sync::MergeWorker"] >= ended["Sync::FetchStripeWorker"]
    assert begun["Sync::ExportCsvWorker"] >= ended["Sync::MergeWorker"]
    assert "start  workflow sync_nightly_sync_merge_step" in done.stdout
    # the timeline shows the callbacks too, on the jobs' clock: `fetched` ran after the
    # fetchers ended, and started the merge step
    shown = {line.split("s  ", 1)[1]: float(line.split("s  ", 1)[0]) for line in done.stdout.splitlines()
             if line.startswith("  ") and "s  " in line and "never started" not in line}
    fired = shown["fired  callback Sync::NightlySync#fetched (on success)"]
    assert ended["Sync::FetchStripeWorker"] <= fired <= shown["start  workflow sync_nightly_sync_merge_step"]
    assert "callback Sync::NightlySync#fetch_died" not in done.stdout  # no job died
    assert ("never started  Sync::AlertWorker: runs on :death of batch b1 "
            "(app/services/sync/nightly_sync.rb:13), and no job of it died") in done.stdout

    failed = subprocess.run([sys.executable, "-m", "batch2flow", "rehearse", fixture, "--fail",
                             "Sync::FetchStripeWorker", "--trace", str(tmp_path / "fail.jsonl")],
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert ("never started  workflow sync_nightly_sync_merge_step: waits for Sync::FetchStripeWorker "
            "(app/services/sync/nightly_sync.rb:15), which failed") in failed.stdout
    workers = {json.loads(line)["worker"] for line in (tmp_path / "fail.jsonl").read_text().splitlines()}
    assert "Sync::AlertWorker" in workers  # the :death callback ran
    assert not {"Sync::MergeWorker", "Sync::ExportCsvWorker", "Sync::ExportParquetWorker"} & workers
