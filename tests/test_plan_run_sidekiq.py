"""Ruby computes, Prefect orchestrates, end to end: the flow `convert --tasks ruby`
generates for tests/flow_app runs its workflow under Prefect against the generated
bridge, a real Sidekiq process and a real Redis. Every Ruby method runs in Ruby: the
starter's, the jobs' and the callbacks' side effects land in Redis, in Sidekiq's order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from prefect import flow
from ruby_services import RunningBridge, bridge_services, generated_flow, point_client_at

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
    point_client_at(ruby, TOKEN, monkeypatch)
    ruby.redis.call("DEL", "fail:PartWorker")
    return ruby


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """tests/flow_app converted with `--tasks ruby`, imported as the Prefect worker would."""
    return generated_flow(APP, "report", tmp_path_factory.mktemp("flows"))


def test_every_ruby_method_runs_in_ruby_in_sidekiqs_order(bridged: RunningBridge,
                                                          generated: ModuleType) -> None:
    state = generated.report(7, return_state=True)
    assert state.is_completed(), bridged.services.log("sidekiq")
    effects = bridged.redis.effects()
    assert effects[:2] == [["start", 7], ["extract", 7]]
    assert sorted(map(str, effects[2:4])) == [str(["part", 1]), str(["part", 2])]
    assert effects[4:6] == [["extracted", 2, 0], ["publish", 7]]  # reopened the parent
    assert sorted(map(str, effects[6:])) == sorted([str(["finished", 7]), str(["complete", 0])])


def test_a_dead_job_stops_success_work_and_complete_still_runs(bridged: RunningBridge,
                                                               generated: ModuleType) -> None:
    bridged.redis.call("SET", "fail:PartWorker", "1")
    state = generated.report(8, return_state=True)
    assert state.is_failed()
    names = [effect[0] for effect in bridged.redis.effects()]  # type: ignore[index]
    assert names[:2] == ["start", "extract"]
    assert "extracted" not in names and "publish" not in names and "finished" not in names
    assert names[2:] in (["complete", "died"], ["died", "complete"])  # :complete waits for no :death
    # :death fires once, on the first death in the batch or its children, with that batch's status
    assert names.count("died") == 1


def test_retrying_the_flow_run_runs_no_succeeded_job_twice(bridged: RunningBridge,
                                                           generated: ModuleType) -> None:
    """Same flow run, next attempt: the keys come out the same, so the bridge answers each
    job and call that succeeded with its stored plan and runs none of them again."""
    from prefect.context import FlowRunContext

    attempts: list[int] = []

    @flow(name="report_retried", retries=1, retry_delay_seconds=0)
    def report_retried(id: int) -> list[Any]:
        ctx = FlowRunContext.get()
        assert ctx is not None and ctx.flow_run is not None
        attempts.append(ctx.flow_run.run_count)
        futures = generated.report.fn(id)
        if ctx.flow_run.run_count == 1:
            raise RuntimeError("the flow run's process was lost")  # after every job ran
        return futures

    assert report_retried(9, return_state=True).is_completed()
    assert attempts == [1, 2]
    names = [effect[0] for effect in bridged.redis.effects()]  # type: ignore[index]
    assert sorted(names) == sorted(["start", "extract", "part", "part", "extracted", "publish",
                                    "finished", "complete"])
