"""Under Prefect (the session's API), each call of a flow run reaches Sidekiq once: across a
Prefect retry of the task, a retry of the flow run, a cancel; and a bridge error is never a
job's death."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from fake_bridge import FakeBridge, JobScript
from prefect import flow, task

from batch2flow.convert import convert
from batch2flow.rehearse import import_flows
from batch2flow.runtime import BridgeTimeout, run_job, transport

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _retry_once(task: object, task_run: object, state: Any) -> bool:
    # the test's stand-in for a person fixing things between two attempts
    FINISH.set()
    return True


FINISH = threading.Event()


@task(retries=1, retry_delay_seconds=0, retry_condition_fn=_retry_once)
def slow_job() -> object:
    return run_job("SlowWorker", [1])


@task
def job(worker: str, arg: int) -> object:
    return run_job(worker, [arg])


@flow
def slow_flow() -> object:
    return slow_job()


@flow
def two_steps() -> list[object]:
    first = job.submit("FirstWorker", 1)
    second = job.submit("SecondWorker", 2, wait_for=[first])
    return [first, second]


@flow
def fan_out() -> list[object]:
    return [job.submit("RowWorker", arg) for arg in (1, 1, 2)]


def _posts(bridge: FakeBridge, worker: str | None = None) -> list[str]:
    return [r.headers["idempotency-key"] for r in bridge.requests
            if r.method == "POST" and (worker is None or r.body["class"] == worker)]  # type: ignore[index]


def _retry_flow_run(state: Any, to_run: Any) -> Any:
    """What `prefect flow-run retry ID --entrypoint ...` does: the same flow run, again."""
    from prefect.client.orchestration import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import Scheduled

    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(flow_run_id, Scheduled(), force=True)
        flow_run = client.read_flow_run(flow_run_id)
    return run_flow(to_run, flow_run=flow_run, parameters={}, return_type="state")


def test_a_task_retried_after_a_bridge_timeout_polls_the_same_job(
    bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    FINISH.clear()
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_TIMEOUT", "0.3")
    bridge.script("SlowWorker", JobScript(finish=FINISH, result="late"))

    state = slow_flow(return_state=True)

    assert state.is_completed() and state.result() == "late"
    assert [j.jid for j in bridge.jobs] == ["jid-1"]  # must: still one job
    keys = _posts(bridge)
    assert len(keys) == 2 and len(set(keys)) == 1  # the retry asked with the same key
    assert {r.path for r in bridge.requests if r.method == "GET"} == {"/v1/jobs/jid-1"}


def test_the_first_attempt_fails_with_bridge_timeout(
    bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_TIMEOUT", "0.2")
    bridge.script("SlowWorker", JobScript(forever=True))

    state = slow_job.with_options(retries=0)(return_state=True)

    assert state.is_failed()
    with pytest.raises(BridgeTimeout, match="retrying this flow run goes on waiting for the same job"):
        state.result()


def test_a_retried_flow_run_does_not_rerun_a_job_that_succeeded(bridge: FakeBridge) -> None:
    bridge.script("SecondWorker", JobScript(error="RuntimeError: boom", failing_jobs=1))

    first = two_steps(return_state=True)
    assert first.is_failed()
    again = _retry_flow_run(first, two_steps)

    assert again.is_completed()
    # must not: FirstWorker pushed twice; must: the dead SecondWorker job pushed again
    assert [j.worker for j in bridge.jobs] == ["FirstWorker", "SecondWorker", "SecondWorker"]
    assert len(set(_posts(bridge, "FirstWorker"))) == 1
    attempts = [r.body["run_attempt"] for r in bridge.requests if r.method == "POST"]  # type: ignore[index]
    assert attempts == [1, 1, 2, 2]


def test_each_fan_out_item_and_each_equal_call_is_its_own_job_once(bridge: FakeBridge) -> None:
    first = fan_out(return_state=True)
    again = _retry_flow_run(first, fan_out)

    assert first.is_completed() and again.is_completed()
    assert sorted(j.args[0] for j in bridge.jobs) == [1, 1, 2]  # type: ignore[type-var]
    assert len(set(_posts(bridge))) == 3  # the retry found all three


def test_a_cancelled_flow_run_enqueues_nothing_new(bridge: FakeBridge) -> None:
    from prefect.client.orchestration import get_client
    from prefect.states import Cancelling

    release = threading.Event()
    bridge.script("FirstWorker", JobScript(finish=release))

    def cancel_while_the_first_job_runs() -> None:
        while not _posts(bridge):
            time.sleep(0.01)
        flow_run_id = uuid.UUID(_posts(bridge)[0].removeprefix("b2f-")[:36])
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(flow_run_id, Cancelling(), force=True)
        release.set()

    canceller = threading.Thread(target=cancel_while_the_first_job_runs, daemon=True)
    canceller.start()
    two_steps(return_state=True)
    canceller.join(10)

    assert [j.worker for j in bridge.jobs] == ["FirstWorker"]  # must not: SecondWorker
    assert _posts(bridge, "SecondWorker") == []


REFUNDS = """\
# frozen_string_literal: true

class RefundWorker
  include Sidekiq::Job

  def perform(id); end
end

class AlertWorker
  include Sidekiq::Job

  def perform(id); end
end

class CloseWorker
  include Sidekiq::Job

  def perform(id); end
end

class Alerting
  def on_death(_status, options)
    AlertWorker.perform_async(options['id'])
  end

  def on_complete(_status, options)
    CloseWorker.perform_async(options['id'])
  end
end

class RefundRun
  def self.start(id)
    batch = Sidekiq::Batch.new
    batch.on(:death, Alerting, 'id' => id)
    batch.on(:complete, Alerting, 'id' => id)
    batch.jobs { RefundWorker.perform_async(id) }
  end
end
"""


def _refund_flow(tmp_path: Path) -> Any:
    """A batch with `:death` and `:complete` work, translated without a marker."""
    app = tmp_path / "app" / "workers"
    app.mkdir(parents=True)
    (app / "refunds.rb").write_text(REFUNDS, encoding="utf-8")
    conversion = convert([str(tmp_path / "app")], tasks="translated")
    return import_flows(conversion, tmp_path)["refund_run"].refund_run


def test_a_dead_job_fires_the_death_work(tmp_path: Path, bridge: FakeBridge) -> None:
    bridge.script("RefundWorker", JobScript(error="Stripe::CardError: declined"))

    state = _refund_flow(tmp_path)(id=7, return_state=True)

    assert state.is_failed()
    # the control: a real death runs the :death work (and :complete runs as well)
    assert sorted(j.worker for j in bridge.jobs) == ["AlertWorker", "CloseWorker", "RefundWorker"]


def test_a_bridge_down_is_no_death_and_fires_no_callback_work(
    tmp_path: Path, bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "TRANSIENT_RETRIES", 1)
    bridge.script("RefundWorker", JobScript(unavailable=99))

    state = _refund_flow(tmp_path)(id=7, return_state=True)

    assert state.is_failed()
    assert bridge.jobs == []  # must not: death work (or :complete work) for a job that never ran
    assert {r.body["class"] for r in bridge.requests} == {"RefundWorker"}  # type: ignore[index]
    assert f"{bridge.url}/v1/jobs: bridge unavailable" in _messages(state)
    assert "t0ken" not in _messages(state)


def _messages(state: Any) -> str:
    try:
        state.result()
    except Exception as error:  # the flow's failure: the first error of its futures
        return f"{state.message} {error}"
    return str(state.message)


def test_a_prefect_api_that_cannot_say_whether_the_run_is_cancelled_enqueues_nothing(
    bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.context import TaskRunContext

    read = SyncPrefectClient.read_flow_run

    def unreachable_from_tasks(self: SyncPrefectClient, flow_run_id: Any) -> Any:
        if TaskRunContext.get() is not None:  # the engine itself still reads it
            raise ConnectionError("no API")
        return read(self, flow_run_id)

    monkeypatch.setattr(SyncPrefectClient, "read_flow_run", unreachable_from_tasks)

    state = two_steps(return_state=True)

    assert state.is_failed() and "could not read whether flow run" in _messages(state)
    assert bridge.jobs == []
