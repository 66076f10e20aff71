"""A workflow started where the bridge cannot call its starter (a controller action here):
the action wraps the Ruby that builds the batch in `Batch2flow.start_flow`, which runs it
in the app's own process with its side effects, records the plan, and creates a run of the
workflow's deployment on a real Prefect API with that plan as its parameter. The flow run
then submits exactly what the action planned, to a real Sidekiq through the bridge.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from ruby_services import RunningBridge, bridge_services, generated_flow, point_client_at

APP = Path(__file__).parent / "flow_app"
TOKEN = "recorded-t0ken"
WORKFLOW = "reports_controller_create"
#: the app's web process: the test app, the bridge as the initializer installs it, one request
WEB_REQUEST = """
require File.join(ENV.fetch("APP"), "config/environment")
require File.join(ENV.fetch("BATCH2FLOW_BRIDGE_DIR"), "batch2flow_bridge")
Batch2flow::Bridge.install!
begin
  puts JSON.generate("run" => ReportsController.new(JSON.parse(ENV.fetch("PARAMS"))).create)
rescue StandardError => e
  puts JSON.generate("error" => e.class.name, "message" => e.message)
end
"""

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def ruby(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBridge]:
    root = tmp_path_factory.mktemp("recorded_start")
    with bridge_services(root, APP, ("flow_test", "default"), TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generated_flow(APP, WORKFLOW, tmp_path_factory.mktemp("flows"))


@pytest.fixture(scope="module")
def deployment(generated: ModuleType) -> str:
    """The workflow's deployment on the session's Prefect API, its parameter schema
    enforced as prefect.yaml asks."""
    from prefect.client.orchestration import get_client
    from prefect.utilities.callables import parameter_schema

    flow = getattr(generated, WORKFLOW)
    with get_client(sync_client=True) as client:
        flow_id = client.create_flow_from_name(WORKFLOW)
        client.create_deployment(flow_id=flow_id, name=WORKFLOW, entrypoint=f"flows/{WORKFLOW}.py:{WORKFLOW}",
                                 parameter_openapi_schema=parameter_schema(flow.fn).model_dump(),
                                 enforce_parameter_schema=True)
    return WORKFLOW


def request(ruby: RunningBridge, params: dict[str, object], **env: str) -> dict[str, Any]:
    """Run ReportsController#create in a Ruby process of its own, as the web app would."""
    from prefect.settings import PREFECT_API_URL

    environment = {**os.environ, "APP": str(APP), "PARAMS": json.dumps(params),
                   "REDIS_URL": f"redis://127.0.0.1:{ruby.redis.port}/0",
                   "BATCH2FLOW_BRIDGE_DIR": str(ruby.bridge_dir), "BATCH2FLOW_APP_ROOT": str(APP),
                   "PREFECT_API_URL": str(PREFECT_API_URL.value()), **env}
    done = subprocess.run(["ruby", "-e", WEB_REQUEST], env=environment, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def flow_run_parameters(run_id: str) -> dict[str, Any]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        found = client.read_flow_run(run_id)
    assert found.deployment_id is not None
    return dict(found.parameters)


def test_the_action_records_its_plan_and_the_flow_run_submits_it(
        ruby: RunningBridge, generated: ModuleType, deployment: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    point_client_at(ruby, TOKEN, monkeypatch)
    answer = request(ruby, {"id": 9, "parts": [1, 2, 3]})
    assert "run" in answer, answer
    # the action's own Ruby ran, with the bid the recorder gave the batch; no job was pushed
    effects = ruby.redis.effects()
    assert effects[0] == ["requested", 9]
    assert effects[1][0] == "bid" and effects[1][1].startswith("b2f-start-")
    assert len(effects) == 2
    assert ruby.redis.call("LLEN", "queue:flow_test") == 0

    plan = flow_run_parameters(answer["run"])["plan"]
    assert [row["args"] for row in plan["enqueues"]] == [[9, 1], [9, 2], [9, 3]]
    assert [(row["event"], row["target"], row["options"]) for row in plan["callbacks"]] == [
        ("complete", "ReportCallbacks#on_complete", {"id": 9})]

    state = getattr(generated, WORKFLOW)(plan=plan, return_state=True)
    assert state.is_completed(), ruby.services.log("sidekiq")
    after = ruby.redis.effects()[2:]
    assert sorted(map(str, after[:3])) == [str(["part", n]) for n in (1, 2, 3)]
    assert after[3:] == [["complete", 0]]


def test_a_start_that_cannot_reach_prefect_raises_and_pushes_nothing(ruby: RunningBridge,
                                                                      deployment: str) -> None:
    ruby.redis.call("DEL", "effects")
    answer = request(ruby, {"id": 10, "parts": [1]}, PREFECT_API_URL="")
    assert answer["error"] == "Batch2flow::Bridge::StartFailed"
    assert "PREFECT_API_URL" in answer["message"]
    # the block ran before the start failed; what it recorded went nowhere
    assert ruby.redis.call("LLEN", "queue:flow_test") == 0
    assert ruby.redis.call("LLEN", "queue:default") == 0


def test_an_unknown_workflow_name_is_refused_before_the_block_runs(ruby: RunningBridge) -> None:
    ruby.redis.call("DEL", "effects")
    script = WEB_REQUEST.replace('ReportsController.new(JSON.parse(ENV.fetch("PARAMS"))).create',
                                 'Batch2flow.start_flow("report") { Effects.write("ran") }')
    from prefect.settings import PREFECT_API_URL

    environment = {**os.environ, "APP": str(APP), "REDIS_URL": f"redis://127.0.0.1:{ruby.redis.port}/0",
                   "BATCH2FLOW_BRIDGE_DIR": str(ruby.bridge_dir), "BATCH2FLOW_APP_ROOT": str(APP),
                   "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    done = subprocess.run(["ruby", "-e", script], env=environment, capture_output=True, text=True,
                          timeout=60, check=True)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    # Report.start is callable: its flow runs the starter through the bridge instead
    assert answer["error"] == "ArgumentError" and "report is not a workflow" in answer["message"]
    assert ruby.redis.effects() == []


def test_a_run_started_without_the_plan_fails_saying_how_to_start_it(generated: ModuleType,
                                                                     ruby: RunningBridge,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    point_client_at(ruby, TOKEN, monkeypatch)
    # `{}` typed into Prefect's form passes the parameter schema
    state = getattr(generated, WORKFLOW)(plan={}, return_state=True)
    assert state.is_failed()
    assert "Batch2flow.start_flow" in str(state.message)
