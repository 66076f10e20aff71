"""The runtime inside real Prefect flows: batch semantics, rehearsal events, markers, retries."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from fake_bridge import FakeBridge, JobScript

from batch2flow.runtime import (
    BatchStatus,
    SimulatedJobFailure,
    UntranslatedRuby,
    WorkflowRun,
    batch_status,
    first_death,
    orchestration_step,
    rehearsal,
    retry_delays,
    ruby_condition,
    ruby_items,
    ruby_value,
    run_job,
    start_workflow,
)
from batch2flow.runtime import bridge as bridge_module

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _batch_flows() -> dict[str, Callable[..., object]]:
    """Flows for batch semantics, built on first use: importing Prefect at collection costs seconds."""
    from prefect import flow, task

    @task
    def ok(value: int) -> int:
        return value

    @task
    def boom() -> None:
        raise ValueError("boom")

    @task
    def slow(release: threading.Event) -> None:
        release.wait(10)

    @flow
    def counts() -> tuple[BatchStatus, BatchStatus]:
        a, b, failed = ok.submit(1), ok.submit(2), boom.submit()
        by_data = ok.submit(failed)  # never runs: its input failed
        by_order = ok.submit(3, wait_for=[failed])  # never runs either
        return batch_status([a, b, failed, by_data, by_order]), batch_status([a, b])

    @flow
    def early_death() -> tuple[bool, float]:
        release = threading.Event()
        started = time.monotonic()
        died = first_death([slow.submit(release), boom.submit()])
        elapsed = time.monotonic() - started
        release.set()
        return died, elapsed

    @flow
    def no_death() -> tuple[bool, bool]:
        failed = boom.submit()
        not_ready = [ok.submit(failed), ok.submit(1, wait_for=[failed])]
        with_success = [ok.submit(2), *not_ready]
        # The failed job belongs to another batch; these never ran: no :death here.
        # In a thread with a deadline, so a first_death stuck on NotReady fails the test.
        return _within(20, lambda: first_death(not_ready)), _within(20, lambda: first_death(with_success))

    @task
    def slow_then_note(release: threading.Event, ended: list[str]) -> None:
        release.wait(10)
        ended.append("child job")

    @flow
    def parent_and_child() -> tuple[BatchStatus, BatchStatus, list[str]]:
        run = WorkflowRun()
        parent = run.batch("parent")
        child = parent.child("child")
        own = parent.add(ok.submit(1))
        release, ended = threading.Event(), []
        child.add(slow_then_note.submit(release, ended))
        child.add(boom.submit())
        # the child's slow job ends a moment after the parent's own job
        threading.Thread(target=lambda: (own.wait(), time.sleep(0.3), release.set()), daemon=True).start()
        parent_status, ended_by_then = parent.status(), list(ended)
        return parent_status, child.status(), ended_by_then

    return {"counts": counts, "early_death": early_death, "no_death": no_death,
            "parent_and_child": parent_and_child}


def _death_flows() -> dict[str, Callable[..., object]]:
    from prefect import flow, task

    @task
    def ok(value: int) -> int:
        return value

    @task
    def boom() -> None:
        raise ValueError("boom")

    @flow
    def batch_deaths(added: str) -> tuple[object, object]:
        """A batch's death watch while a callback block still adds `added` to a child."""
        run = WorkflowRun()
        batch = run.batch()
        release = threading.Event()
        batch.add(ok.submit(1))
        batch.add(ok.submit(boom.submit()))  # never runs: its input died in no batch of ours
        child = batch.child()

        @run.callback()
        def adder() -> None:
            release.wait(10)
            child.add(boom.submit() if added == "boom" else ok.submit(2))

        started = time.monotonic()
        threading.Timer(0.3, release.set).start()
        died = _within(20, lambda: batch.died(added_by=["adder"]))
        elapsed = time.monotonic() - started
        run.futures()
        return died, elapsed

    return {"batch_deaths": batch_deaths}


def _job_flows() -> dict[str, Callable[..., object]]:
    """Flows whose tasks run Sidekiq jobs, with retries as generated flows have them."""
    from prefect import flow, task

    @task(retries=2, retry_delay_seconds=0)
    def job(worker: str) -> object:
        return run_job(worker, [])

    @task(retries=2, retry_delay_seconds=retry_delays(2))
    def orchestrator(worker: str) -> None:
        orchestration_step(worker)

    @flow(name="nightly_report")
    def nightly(workers: list[str]) -> list[str]:
        # one after another, so the clock order of the events is known
        outcomes = []
        for worker in workers:
            future = job.submit(worker)
            future.wait()
            outcome = future.state.result(raise_on_failure=False)
            outcomes.append(type(outcome).__name__)
        return outcomes

    @flow(name="import_service")
    def orchestrated() -> str:
        future = orchestrator.submit("ImportUsersWorker")
        future.wait()
        return str(future.state.name)

    return {"nightly": nightly, "orchestrated": orchestrated}


def _within(seconds: float, call: Callable[[], object]) -> object:
    answer: list[object] = []
    worker = threading.Thread(target=lambda: answer.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    return answer[0] if answer else f"still waiting after {seconds} s"


@pytest.fixture(scope="module")
def built() -> dict[str, Callable[..., object]]:
    return _batch_flows() | _death_flows() | _job_flows()


def test_batch_status_counts_the_jobs_that_ran(built: dict[str, Callable[..., object]]) -> None:
    with_failure, all_ok = built["counts"]()

    assert with_failure == BatchStatus(total=3, failures=1, pending=1)
    assert all_ok == BatchStatus(total=2, failures=0, pending=0)


def test_a_parent_status_counts_its_own_jobs_once_its_children_finished(
    built: dict[str, Callable[..., object]],
) -> None:
    parent, child, ended_before_parent_status = built["parent_and_child"]()

    # Sidekiq::Batch::Status counts a batch's own jobs; the child's failure is the child's
    assert parent == BatchStatus(total=1, failures=0, pending=0)
    assert child == BatchStatus(total=2, failures=1, pending=1)
    # as a callback, the parent's status is read only after the child's jobs ended
    assert ended_before_parent_status == ["child job"]


def test_first_death_answers_as_soon_as_a_job_dies(built: dict[str, Callable[..., object]]) -> None:
    died, elapsed = built["early_death"]()

    assert died is True
    assert elapsed < 5  # the slow job was still waiting for its release (10 s)


def test_first_death_is_false_without_a_death_and_waits_out_not_ready_futures(
    built: dict[str, Callable[..., object]],
) -> None:
    assert built["no_death"]() == (False, False)


@pytest.mark.parametrize(("added", "died"), [("boom", True), ("ok", False)])
def test_a_death_watch_sees_the_jobs_a_running_block_adds(built: dict[str, Callable[..., object]],
                                                          added: str, died: bool) -> None:
    answer, elapsed = built["batch_deaths"](added)  # type: ignore[misc]

    assert answer is died
    # it answered only once the block had added its job (0.3 s), not from what was there before
    assert elapsed >= 0.3


def test_rehearsal_events_start_end_and_one_fail_after_the_retries(
    built: dict[str, Callable[..., object]],
) -> None:
    traced: list[dict[str, object]] = []
    with rehearsal(fail=["Billing::ChargeWorker"], trace=traced.append, job_seconds=0.01) as current:
        outcomes = built["nightly"](["ImportUsersWorker", "Billing::ChargeWorker"])

    assert outcomes == ["NoneType", "SimulatedJobFailure"]
    assert [(e["worker"], e["event"]) for e in current.events] == [
        ("ImportUsersWorker", "start"),
        ("ImportUsersWorker", "end"),
        ("Billing::ChargeWorker", "start"),
        ("Billing::ChargeWorker", "fail"),
    ]
    assert traced == current.events
    assert {e["flow"] for e in current.events} == {"nightly_report"}
    assert all(list(e) == ["worker", "event", "t", "flow"] for e in current.events)
    times = [e["t"] for e in current.events]
    assert times == sorted(times) and isinstance(times[0], float)
    # a job takes job_seconds, once: the failing one's two retries follow at once (start .. fail);
    # each t is rounded to the millisecond, hence the 0.001 of slack
    assert times[1] - times[0] >= 0.009 and times[3] - times[2] >= 0.009


def test_orchestration_step_is_simulated_and_retries_without_real_waiting(
    built: dict[str, Callable[..., object]],
) -> None:
    started = time.monotonic()
    with rehearsal(fail=["ImportUsersWorker"]) as current:
        state_name = built["orchestrated"]()

    assert state_name == "Failed"
    assert [e["event"] for e in current.events] == ["start", "fail"]
    assert {e["flow"] for e in current.events} == {"import_service"}
    assert time.monotonic() - started < 10  # retry_delays(2) is 15 s, then 16 s, in real mode


def test_a_rehearsal_outside_any_flow_still_records_jobs() -> None:
    with rehearsal(fail=["Cleanup"]) as current:
        assert run_job("Export", [1]) is None
        with pytest.raises(SimulatedJobFailure) as caught:
            orchestration_step("Cleanup")

    assert caught.value.worker == "Cleanup"
    assert [(e["worker"], e["event"], e["flow"]) for e in current.events] == [
        ("Export", "start", None),
        ("Export", "end", None),
        ("Cleanup", "start", None),
        ("Cleanup", "fail", None),
    ]


def test_rehearsals_do_not_nest_and_end_even_when_the_block_raises() -> None:
    with pytest.raises(KeyError), rehearsal():
        with pytest.raises(RuntimeError, match="already running"), rehearsal():
            pass
        raise KeyError("flow blew up")

    with pytest.raises(UntranslatedRuby):  # back in real mode
        ruby_value("x", "a.rb:1")


@pytest.mark.parametrize("marker", [ruby_value, ruby_condition, ruby_items], ids=lambda f: f.__name__)
def test_ruby_markers_stop_a_real_run_naming_the_place(marker: Callable[[str, str], object]) -> None:
    with pytest.raises(UntranslatedRuby) as caught:
        marker("user.admin? && !user.banned?", "app/workers/report_worker.rb:12")

    message = str(caught.value)
    assert message.startswith("app/workers/report_worker.rb:12: ")
    assert "user.admin? && !user.banned?" in message
    assert "Edit the generated flow" in message


def test_ruby_markers_stand_in_during_a_rehearsal() -> None:
    with rehearsal() as current:
        assert ruby_value("Time.current", "a.rb:3") == "<ruby: Time.current>"
        assert ruby_condition("user.admin?", "a.rb:4") is True
        assert ruby_items("User.active.ids", "a.rb:5") == [
            "<ruby: User.active.ids>[0]",
            "<ruby: User.active.ids>[1]",
        ]
        # the rows of a bulk enqueue: each a list with one value per required parameter
        assert ruby_items("rows", "a.rb:6", row_width=2) == [
            ["<ruby: rows>[0][0]", "<ruby: rows>[0][1]"],
            ["<ruby: rows>[1][0]", "<ruby: rows>[1][1]"],
        ]
        assert ruby_value("Time.current", "a.rb:3") == "<ruby: Time.current>"

    assert len(current.notes) == 4  # the repeated marker is noted once
    assert [note.split(":")[0:2] for note in current.notes] == [["a.rb", str(n)] for n in range(3, 7)]
    assert "Time.current" in current.notes[0] and "'<ruby: Time.current>'" in current.notes[0]


def test_start_workflow_in_a_rehearsal_records_and_runs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import prefect.deployments

    monkeypatch.setattr(prefect.deployments, "run_deployment", _must_not_run)
    with rehearsal() as current:
        start_workflow("billing_close", {"day": "2024-05-01"})

    assert [entry["workflow"] for entry in current.started] == ["billing_close"]
    assert isinstance(current.started[0]["t"], float)


def test_start_workflow_runs_the_deployment_without_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    import prefect.deployments

    calls: list[tuple[object, dict[str, object]]] = []
    monkeypatch.setattr(prefect.deployments, "run_deployment", lambda name, **kw: calls.append((name, kw)))

    start_workflow("billing_close", {"day": "2024-05-01"})

    assert calls == [("billing_close/billing_close",
                      {"parameters": {"day": "2024-05-01"}, "timeout": 0, "as_subflow": False})]


def _must_not_run(*args: object, **kwargs: object) -> None:
    raise AssertionError("a rehearsal started a real deployment")


def test_orchestration_step_in_a_real_run_only_logs(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("BATCH2FLOW_BRIDGE_URL", raising=False)
    monkeypatch.delenv("BATCH2FLOW_BRIDGE_BLOCK", raising=False)
    caplog.set_level("INFO", logger="batch2flow.runtime")

    orchestration_step("Reports::NightlyBatchWorker")  # no bridge configured: nothing may be sent

    assert "Reports::NightlyBatchWorker" in caplog.text
    assert "retired and nothing is sent to Sidekiq" in caplog.text


def test_retry_delays_follow_sidekiq_without_jitter() -> None:
    assert retry_delays(0) == []
    assert retry_delays(5) == [15, 16, 31, 96, 271]
    assert len(retry_delays(25)) == 25 and retry_delays(25)[-1] == 24**4 + 15
    assert retry_delays(60) == retry_delays(50) and retry_delays(60)[-1] == 49**4 + 15


def test_retry_delays_fit_prefect_and_read_zero_only_in_a_rehearsal() -> None:
    from prefect import task

    delays = retry_delays(60)
    configured = task(retries=60, retry_delay_seconds=delays)(lambda: None)  # more than 50 would raise

    assert configured.retry_delay_seconds[49] == 49**4 + 15
    with rehearsal():
        assert configured.retry_delay_seconds[49] == 0
        assert delays[:2] == [0, 0]
    assert delays[:2] == [15, 16]


@pytest.fixture
def real_bridge(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBridge]:
    monkeypatch.setattr(bridge_module, "POLL_INITIAL_SECONDS", 0.005)
    monkeypatch.delenv("BATCH2FLOW_BRIDGE_BLOCK", raising=False)
    monkeypatch.delenv("BATCH2FLOW_BRIDGE_TOKEN", raising=False)
    with FakeBridge() as fake:
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", fake.url)
        yield fake


def test_a_real_run_sends_each_prefect_attempt_to_the_bridge(
    built: dict[str, Callable[..., object]], real_bridge: FakeBridge
) -> None:
    real_bridge.script("ImportUsersWorker", JobScript(polls=1, result={"imported": 7}))
    real_bridge.script("Billing::ChargeWorker", JobScript(error="card declined"))

    outcomes = built["nightly"](["ImportUsersWorker", "Billing::ChargeWorker"])

    assert outcomes == ["dict", "SidekiqJobFailed"]
    enqueued = [r.body["class"] for r in real_bridge.requests if r.method == "POST"]
    # Prefect owns the retries: the failing job is enqueued once per attempt (1 + 2 retries)
    assert enqueued == ["ImportUsersWorker"] + ["Billing::ChargeWorker"] * 3
