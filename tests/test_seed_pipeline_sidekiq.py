"""The bundled example, end to end: fixtures/seed_pipeline converted with `--tasks ruby`
runs under Prefect against the generated bridge, a real Sidekiq process and a real
Redis. KickoffWorker's own Ruby (the PipelineRun row it writes) runs, every callback's
Ruby runs and opens the next step, and the side effects come in the pipeline's order.
(The models and services the workers call are stand-ins: tests/seed_support.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from ruby_services import RunningBridge, bridge_services, generated_flow, point_client_at

APP = Path(__file__).parent.parent / "fixtures" / "seed_pipeline"
SUPPORT = Path(__file__).parent / "seed_support"
TOKEN = "seed-t0ken"

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def ruby(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBridge]:
    root = tmp_path_factory.mktemp("seed")
    with bridge_services(root, APP, ("pipeline", "default"), TOKEN, config=SUPPORT) as running:
        yield running


@pytest.fixture
def pipeline(ruby: RunningBridge, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    point_client_at(ruby, TOKEN, monkeypatch)
    return generated_flow(APP, "data_pipeline", tmp_path)


def test_the_kickoff_and_every_callback_run_in_ruby_in_the_pipelines_order(
        ruby: RunningBridge, pipeline: ModuleType) -> None:
    state = pipeline.data_pipeline(7, "2026-12-01", return_state=True)
    assert state.is_completed(), ruby.services.log("sidekiq")
    names = [effect[:2] for effect in ruby.redis.effects()]  # type: ignore[index]
    assert names[0] == ["pipeline_run", "running"]  # KickoffWorker's own Ruby, before step 1
    order = [name[0] for name in names]
    # step 1: flows 1 and 2 side by side; flow 1's callback adds its task 2 to step 1
    assert set(order[1:4]) == {"pull_orders", "pull_customers", "pull_order_lines"}
    assert order.index("pull_order_lines") > order.index("pull_orders")
    # step 1's callback opens step 2, whose callback opens step 3, then step 4; then the end
    assert order[4:] == ["build_fact_tables", "load_warehouse", "refresh_dashboards", "pipeline_run"]
    assert names[-1] == ["pipeline_run", "finished"]  # the overall :success callback's job
    assert len(order) == 8
