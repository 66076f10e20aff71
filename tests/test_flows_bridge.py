"""A generated flow in production mode: every Ruby job goes through the Sidekiq bridge
(a fake one on loopback), in the order the Sidekiq callbacks imposed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES
from fake_bridge import FakeBridge, JobScript

from batch2flow.convert import convert
from batch2flow.rehearse import import_flows

LEAVES = {"Flow1Task1Worker", "Flow1Task2Worker", "Flow2TaskWorker", "Flow3TaskWorker",
          "Flow4Task1Worker", "Flow4Task2Worker", "PipelineFinishedWorker"}


def _seed_flow(tmp_path: Path) -> object:
    conversion = convert([str(FIXTURES / "seed_pipeline")], tasks="translated")
    return import_flows(conversion, tmp_path)["data_pipeline"].data_pipeline


def _enqueued(bridge: FakeBridge) -> list[str]:
    return [r.body["class"] for r in bridge.requests if r.method == "POST"]  # type: ignore[index]


def _finished_at(bridge: FakeBridge) -> dict[str, int]:
    """Worker -> index in the request log of the poll that saw its job finish."""
    jobs: dict[str, str] = {}
    done: dict[str, int] = {}
    for request in bridge.requests:
        if request.method == "POST":
            jobs[f"/v1/jobs/jid-{len(jobs) + 1}"] = request.body["class"]  # type: ignore[index]
    polls = [(i, r) for i, r in enumerate(bridge.requests) if r.method == "GET"]
    for index, request in polls:
        done[jobs[request.path]] = index
    return done


@pytest.mark.usefixtures("prefect_harness")
def test_jobs_go_through_the_bridge_in_callback_order(tmp_path: Path, bridge: FakeBridge) -> None:
    flow = _seed_flow(tmp_path)
    state = flow(source_id=42, run_date="2024-05-01", return_state=True)  # type: ignore[operator]
    assert state.name == "Completed"
    enqueued = _enqueued(bridge)
    # orchestration-only workers are retired: they never reach Sidekiq
    assert sorted(enqueued) == sorted(LEAVES)
    posts = {r.body["class"]: i for i, r in enumerate(bridge.requests) if r.method == "POST"}  # type: ignore[index]
    finished = _finished_at(bridge)
    for first, then in [
        ("Flow1Task1Worker", "Flow1Task2Worker"), ("Flow1Task2Worker", "Flow3TaskWorker"),
        ("Flow2TaskWorker", "Flow3TaskWorker"), ("Flow3TaskWorker", "Flow4Task1Worker"),
        ("Flow4Task1Worker", "Flow4Task2Worker"), ("Flow4Task2Worker", "PipelineFinishedWorker"),
    ]:
        assert finished[first] < posts[then], (first, then)
    first_post = next(r for r in bridge.requests if r.method == "POST")
    assert first_post.body["args"] == [42, "2024-05-01"]  # type: ignore[index]
    assert first_post.body["run_attempt"] == 1  # type: ignore[index]
    assert first_post.headers["idempotency-key"].startswith(f"b2f-{state.state_details.flow_run_id}-")
    assert first_post.headers["authorization"] == "Bearer t0ken"


@pytest.mark.usefixtures("prefect_harness")
def test_a_dead_job_stops_what_waits_for_success(tmp_path: Path, bridge: FakeBridge) -> None:
    bridge.script("Flow2TaskWorker", JobScript(error="boom"))
    flow = _seed_flow(tmp_path)
    state = flow(source_id=1, run_date="2024-05-01", return_state=True)  # type: ignore[operator]
    assert state.name == "Failed"
    enqueued = _enqueued(bridge)
    # Sidekiq spent the job's retries; Prefect adds none on top
    assert enqueued.count("Flow2TaskWorker") == 1
    assert "Flow1Task2Worker" in enqueued
    assert not {"Flow3TaskWorker", "Flow4Task1Worker", "PipelineFinishedWorker"} & set(enqueued)
