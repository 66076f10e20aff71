"""Ruby computes, Prefect orchestrates, end to end: a plan-driven flow (written as the
generated flows are) runs tests/flow_app's workflow under Prefect against the generated
bridge, a real Sidekiq process and a real Redis. Every Ruby method runs in Ruby: the
starter's, the jobs' and the callbacks' side effects land in Redis, in Sidekiq's order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect import flow
from ruby_services import RunningBridge, bridge_services

from batch2flow.runtime import bridge as bridge_client
from batch2flow.runtime.plans import Plan
from batch2flow.runtime.replay import PlanRun
from batch2flow.runtime.ruby_tasks import ruby_callback, ruby_job, ruby_starter

APP = Path(__file__).parent / "flow_app"
TOKEN = "flow-t0ken"

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def ruby(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBridge]:
    root = tmp_path_factory.mktemp("flow_app")
    with bridge_services(root, APP, ("flow_test", "default"), TOKEN) as running:
        yield running


@pytest.fixture
def bridged(ruby: RunningBridge, monkeypatch: pytest.MonkeyPatch) -> RunningBridge:
    monkeypatch.setattr(bridge_client, "POLL_INITIAL_SECONDS", 0.02)
    monkeypatch.setattr(bridge_client, "POLL_MAX_SECONDS", 0.1)
    monkeypatch.delenv("BATCH2FLOW_BRIDGE_BLOCK", raising=False)
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", ruby.url)
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_TOKEN", TOKEN)
    ruby.redis.call("DEL", "effects", "fail:PartWorker")
    return ruby


# The handlers, one per piece of Ruby, each claiming the call sites the graph knows.
def after_start(run: PlanRun, plan: Plan) -> None:
    """What Report.start planned (app/services/report.rb:4)."""
    for job in plan.jobs("ExtractWorker", "app/services/report.rb", 11):
        run.submit(ruby_job, job, after_extract)
    for callback in plan.callbacks_at("app/services/report.rb", 8):
        run.on(callback, ruby_callback)
    for callback in plan.callbacks_at("app/services/report.rb", 9):
        run.on(callback, ruby_callback)


def after_extract(run: PlanRun, plan: Plan) -> None:
    """What ExtractWorker#perform planned (app/workers/extract_worker.rb:7)."""
    for job in plan.jobs("PartWorker", "app/workers/extract_worker.rb", 13):
        run.submit(ruby_job, job)
    for callback in plan.callbacks_at("app/workers/extract_worker.rb", 11):
        run.on(callback, ruby_callback, after_extracted)


def after_extracted(run: PlanRun, plan: Plan) -> None:
    """What ReportCallbacks#extracted planned (app/services/report_callbacks.rb:4)."""
    for job in plan.jobs("PublishWorker", "app/services/report_callbacks.rb", 7):
        run.submit(ruby_job, job)


@flow(name="report")
def report(id: int) -> list[Any]:
    run = PlanRun()
    run.start(ruby_starter, "Report.start", [id], after_start)
    return run.futures()


def test_every_ruby_method_runs_in_ruby_in_sidekiqs_order(bridged: RunningBridge) -> None:
    state = report(7, return_state=True)
    assert state.is_completed(), bridged.services.log("sidekiq")
    effects = bridged.redis.effects()
    assert effects[:2] == [["start", 7], ["extract", 7]]
    assert sorted(map(str, effects[2:4])) == [str(["part", 1]), str(["part", 2])]
    assert effects[4:6] == [["extracted", 2, 0], ["publish", 7]]  # reopened the parent
    assert sorted(map(str, effects[6:])) == sorted([str(["finished", 7]), str(["complete", 0])])


def test_a_dead_job_stops_success_work_and_complete_still_runs(bridged: RunningBridge) -> None:
    bridged.redis.call("SET", "fail:PartWorker", "1")
    state = report(8, return_state=True)
    assert state.is_failed()
    names = [effect[0] for effect in bridged.redis.effects()]  # type: ignore[index]
    assert names[:2] == ["start", "extract"]
    assert "extracted" not in names and "publish" not in names and "finished" not in names
    assert names[-1] == "complete"


def test_retrying_the_flow_run_runs_no_succeeded_job_twice(bridged: RunningBridge) -> None:
    """Same flow run, next attempt: the keys come out the same, so the bridge answers each
    job and call that succeeded with its stored plan and runs none of them again."""
    from prefect.context import FlowRunContext

    attempts: list[int] = []

    @flow(name="report_retried", retries=1, retry_delay_seconds=0)
    def report_retried(id: int) -> list[Any]:
        ctx = FlowRunContext.get()
        assert ctx is not None and ctx.flow_run is not None
        attempts.append(ctx.flow_run.run_count)
        futures = report.fn(id)
        if ctx.flow_run.run_count == 1:
            raise RuntimeError("the flow run's process was lost")  # after every job ran
        return futures

    assert report_retried(9, return_state=True).is_completed()
    assert attempts == [1, 2]
    names = [effect[0] for effect in bridged.redis.effects()]  # type: ignore[index]
    assert sorted(names) == sorted(["start", "extract", "part", "part", "extracted", "publish",
                                    "finished", "complete"])
