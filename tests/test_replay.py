"""PlanRun under real Prefect, with the Ruby side scripted: each job, starter and callback
task answers the plan a test gives it (the real bridge answers them in
tests/test_bridge_ruby.py). The handlers are written as a generated flow writes them.

What must hold is Sidekiq's: a job runs after the Ruby that planned it, a callback after
every job of its batch and of its children (and the children's callbacks), with the
status it observed; a death fires `:death` and not `:success`; a row at a call site the
flow does not know fails the run before anything more is enqueued.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from prefect import flow, task
from prefect.cache_policies import NONE as NO_CACHE

from batch2flow.runtime.errors import SidekiqJobFailed, UnplannedWork
from batch2flow.runtime.plan_reading import read_plan
from batch2flow.runtime.plans import Plan, PlannedCallback, PlannedJob
from batch2flow.runtime.replay import PlanRun

pytestmark = pytest.mark.usefixtures("prefect_harness")

_lock = threading.Lock()
#: what ran, in order: worker names and callback targets
ran: list[str] = []
#: callback target -> the status it was called with
statuses: dict[str, dict[str, object]] = {}
#: worker or callback target -> the plan its Ruby "recorded"
scripted: dict[str, dict[str, object]] = {}
failing: set[str] = set()


def site(line: int) -> dict[str, object]:
    return {"file": "app/x.rb", "line": line}


def batch(bid: str, parent: str | None = None, reopened: bool = False) -> dict[str, object]:
    return {"bid": bid, "parent_bid": parent, "reopened": reopened, "description": None,
            "callback_queue": None, "site": site(1)}


def enqueue(worker: str, bid: str | None, line: int, args: list[object] | None = None) -> dict[str, object]:
    return {"class": worker, "args": args or [], "queue": None, "at": None, "bid": bid, "site": site(line)}


def callback(bid: str, event: str, target: str, line: int) -> dict[str, object]:
    return {"bid": bid, "event": event, "target": target, "options": {"id": 1}, "site": site(line)}


def note(name: str) -> None:
    with _lock:
        ran.append(name)


@task(cache_policy=NO_CACHE)
def ruby_job(job: PlannedJob, parent_bid: str | None) -> Plan:
    note(job.worker)
    if job.worker in failing:
        raise SidekiqJobFailed(job.worker, f"jid-{job.worker}", "RuntimeError: boom")
    return read_plan(scripted.get(job.worker), job.worker, job.key)


@task(cache_policy=NO_CACHE)
def ruby_callback(cb: PlannedCallback, status: dict[str, object], queue: str | None) -> Plan:
    note(cb.target)
    statuses[cb.target] = status
    return read_plan(scripted.get(cb.target), cb.target, cb.key)


@task(cache_policy=NO_CACHE)
def ruby_starter(target: str, args: list[object], key: str, kwargs: dict[str, object] | None) -> Plan:
    """As the real ruby_starter takes them: the keyword arguments are None when there are none."""
    assert kwargs is None
    note(target)
    return read_plan(scripted.get(target), target, key)


@pytest.fixture(autouse=True)
def clean() -> None:
    ran.clear()
    statuses.clear()
    scripted.clear()
    failing.clear()


def every_row(run: PlanRun, plan: Plan) -> None:
    """A handler that knows every site the tests use: lines 10-19 enqueue W<line>..., 20-29
    register callbacks."""
    for row in list(plan.enqueues):
        for job in plan.jobs(row.worker, row.site.file, row.site.line):
            run.submit(ruby_job, job, every_row)
    for row in list(plan.callbacks):
        for cb in plan.callbacks_at(row.site.file, row.site.line):
            run.on(cb, ruby_callback, every_row)


@flow
def workflow() -> list[Any]:
    run = PlanRun()
    run.start(ruby_starter, "Pipeline.start", [1], every_row)
    return run.futures()


def test_a_parent_callback_waits_for_a_child_batch_and_its_callback_adding_to_the_parent() -> None:
    scripted["Pipeline.start"] = {"batches": [batch("B1")],
                                  "callbacks": [callback("B1", "success", "Done#done", 20)],
                                  "enqueues": [enqueue("A", "B1", 10)]}
    scripted["A"] = {"batches": [batch("B2", "B1")],
                     "callbacks": [callback("B2", "success", "Step#next", 21)],
                     "enqueues": [enqueue("C", "B2", 11)]}
    scripted["Step#next"] = {"batches": [batch("B1", reopened=True)], "enqueues": [enqueue("D", "B1", 12)]}
    workflow()
    assert ran == ["Pipeline.start", "A", "C", "Step#next", "D", "Done#done"]
    assert statuses["Done#done"] == {"bid": "B1", "parent_bid": None, "total": 2, "failures": 0,
                                     "pending": 0, "failed_jids": []}
    assert statuses["Step#next"]["parent_bid"] == "B1"


def test_a_death_fires_death_and_complete_with_the_failure_counted_never_success() -> None:
    scripted["Pipeline.start"] = {
        "batches": [batch("B1")],
        "callbacks": [callback("B1", "death", "Cb#died", 20), callback("B1", "complete", "Cb#complete", 21),
                      callback("B1", "success", "Cb#success", 22)],
        "enqueues": [enqueue("X", "B1", 10), enqueue("Y", "B1", 11)],
    }
    failing.add("X")
    state = workflow(return_state=True)
    assert state.is_failed()  # the dead job's future fails the flow run
    assert "Cb#died" in ran and "Cb#complete" in ran and "Cb#success" not in ran
    assert statuses["Cb#complete"]["failures"] == 1 and statuses["Cb#complete"]["failed_jids"] == ["jid-X"]


def test_jobs_planned_by_a_job_run_after_it_and_a_branch_ruby_did_not_take_runs_nothing() -> None:
    scripted["Pipeline.start"] = {"batches": [batch("B1")], "enqueues": [enqueue("A", "B1", 10, [7])]}
    scripted["A"] = {"enqueues": [enqueue("E", "B1", 13, [n]) for n in range(3)]}

    seen: list[PlannedJob] = []

    def after_a(run: PlanRun, plan: Plan) -> None:
        assert plan.jobs("Other", "app/x.rb", 19) == []  # Ruby did not take that branch
        for job in plan.jobs("E", "app/x.rb", 13):
            seen.append(job)
            run.submit(ruby_job, job)

    @flow
    def fanning() -> list[Any]:
        run = PlanRun()

        def after_start(run: PlanRun, plan: Plan) -> None:
            for job in plan.jobs("A", "app/x.rb", 10):
                run.submit(ruby_job, job, after_a)

        run.start(ruby_starter, "Pipeline.start", [1], after_start)
        return run.futures()

    fanning()
    assert ran[:2] == ["Pipeline.start", "A"] and sorted(ran[2:]) == ["E", "E", "E"]
    assert [job.args for job in seen] == [[0], [1], [2]]
    assert len({job.key for job in seen}) == 3  # each its own enqueue, once


def test_a_row_at_a_call_site_the_flow_does_not_know_fails_the_run_naming_file_and_line() -> None:
    scripted["Pipeline.start"] = {"batches": [batch("B1")], "enqueues": [enqueue("A", "B1", 10)]}
    scripted["A"] = {"enqueues": [enqueue("Surprise", "B1", 42)]}

    def after_start(run: PlanRun, plan: Plan) -> None:
        for job in plan.jobs("A", "app/x.rb", 10):
            run.submit(ruby_job, job)  # A plans nothing, says the graph

    @flow
    def strict() -> list[Any]:
        run = PlanRun()
        run.start(ruby_starter, "Pipeline.start", [1], after_start)
        return run.futures()

    with pytest.raises(UnplannedWork, match=r"app/x\.rb:42: A enqueued Surprise"):
        strict()
    assert "Surprise" not in ran


def test_a_child_whose_success_can_no_longer_come_still_lets_its_parent_complete() -> None:
    scripted["Pipeline.start"] = {"batches": [batch("B1")],
                                  "callbacks": [callback("B1", "complete", "Cb#complete", 20)],
                                  "enqueues": [enqueue("A", "B1", 10)]}
    scripted["A"] = {"batches": [batch("B2", "B1")],
                     "callbacks": [callback("B2", "success", "Cb#child_success", 21)],
                     "enqueues": [enqueue("X", "B2", 11)]}
    failing.add("X")
    assert workflow(return_state=True).is_failed()
    assert "Cb#child_success" not in ran and ran[-1] == "Cb#complete"
