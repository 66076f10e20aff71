"""Generated flows run under real Prefect and keep Sidekiq's semantics.

Every fixture is converted and its flows are run in rehearsal mode (simulated jobs,
on the session's Prefect test API): every job the graph orders after another must
start after that one ended, and failures must stop, or not stop, what Sidekiq's
success / complete / death callbacks say.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES
from goldens import fixture_dirs

from batch2flow.convert import convert
from batch2flow.ir import Workflow
from batch2flow.rehearse import RehearsalReport, run_flows

#: flow parameters a fixture's conditions read (Ruby would fail on nil there too)
PARAMETERS = {"billing_dunning": {"account_id": 7, "stage": "final", "plan": "team", "channels": ["sms"]},
              "catalog_reindex_service": {"store_ids": [3, 4]}}


def _rehearse(tmp_path: Path, fixture: Path, fail: set[str] = frozenset()) -> tuple[object, RehearsalReport]:
    conversion = convert([str(fixture)], tasks="translated")
    folder = tmp_path / "flows"
    folder.mkdir(parents=True, exist_ok=True)
    return conversion, run_flows(conversion, folder, set(fail), None, 0.005, PARAMETERS)


def _times(report: RehearsalReport, flow: str, event: str) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for item in report.events:
        if item["flow"] == flow and item["event"] == event:
            found.setdefault(str(item["worker"]), []).append(float(item["t"]))  # type: ignore[arg-type]
    return found


def _runs_without_failures(workflow: Workflow) -> set[str]:
    """Workers of jobs that are neither conditional nor set off by a `:death` callback."""
    actors = {j.id: j.spawned_by for j in workflow.jobs}
    actors.update({c.id: c.registered_by for c in workflow.callbacks})
    events = {c.id: c.event for c in workflow.callbacks}
    found = set()
    for job in workflow.jobs:
        actor, died = job.spawned_by, False
        while actor is not None:
            died = died or events.get(actor) == "death"
            actor = actors.get(actor)
        if job.condition is None and not job.placeholder and not died:
            found.add(job.worker)
    return found


def _ordered_pairs(workflow: Workflow) -> set[tuple[str, str]]:
    """(A, B) worker pairs where the graph says a B job can only start after an A job."""
    from reachability import reachable_from

    jobs = {job.id: job.worker for job in workflow.jobs}
    pairs = set()
    for job in workflow.jobs:
        for later in reachable_from(workflow, job.id) & set(jobs):
            pairs.add((job.worker, jobs[later]))
    return pairs


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("fixture", fixture_dirs(), ids=lambda p: p.name)
def test_flows_complete_in_graph_order(tmp_path: Path, fixture: Path) -> None:
    conversion, report = _rehearse(tmp_path, fixture)
    # where the Ruby raises (bad_input's `on(:sucess)`), the flow must fail with its error
    raising = {wf.name: wf.raises[0] for wf in conversion.graph.workflows if wf.raises}  # type: ignore[attr-defined]
    for outcome in report.outcomes:
        if outcome.workflow in raising:
            assert outcome.state == "Failed", (outcome.workflow, outcome.message)
            assert raising[outcome.workflow].error in outcome.message
        else:
            assert outcome.state == "Completed", (outcome.workflow, outcome.message)
    assert (fixture.name == "bad_input") == bool(raising)
    for workflow in conversion.graph.workflows:  # type: ignore[attr-defined]
        starts = _times(report, workflow.name, "start")
        ends = _times(report, workflow.name, "end")
        assert _runs_without_failures(workflow) <= set(starts), workflow.name
        for first, then in _ordered_pairs(workflow):
            if first in ends and then in starts and first != then:
                assert min(starts[then]) >= min(ends[first]), (workflow.name, first, then)


SEED = FIXTURES / "seed_pipeline"


@pytest.mark.usefixtures("prefect_harness")
def test_success_callbacks_stop_after_a_failure(tmp_path: Path) -> None:
    _, report = _rehearse(tmp_path, SEED, {"Flow2TaskWorker"})
    [outcome] = report.outcomes
    assert outcome.state == "Failed"
    started = set(_times(report, "data_pipeline", "start"))
    # flow 1 goes on: it does not wait for flow 2
    assert {"Flow1Task1Worker", "Flow1Task2Worker"} <= started
    # step 1 never succeeds, so nothing after it runs, nor the overall success callback
    assert not started & {"Flow3TaskWorker", "Flow4Task1Worker", "Flow4Task2Worker",
                          "PipelineFinishedWorker"}
    assert list(_times(report, "data_pipeline", "fail")) == ["Flow2TaskWorker"]


CALLBACKS = FIXTURES / "callback_targets"


@pytest.mark.usefixtures("prefect_harness")
def test_complete_and_death_callbacks_run_after_a_failure(tmp_path: Path) -> None:
    conversion, quiet = _rehearse(tmp_path, CALLBACKS)
    graph = conversion.graph  # type: ignore[attr-defined]
    death_jobs = _outputs(graph, "death")
    complete_jobs = _outputs(graph, "complete")
    assert death_jobs and complete_jobs
    started_quiet = {w for flow in _flows(quiet) for w in _times(quiet, flow, "start")}
    assert not started_quiet & death_jobs, "no job died, so no :death work"
    failing = _batch_workers(graph, "death")
    _, loud = _rehearse(tmp_path / "fail", CALLBACKS, failing)
    started = {w for flow in _flows(loud) for w in _times(loud, flow, "start")}
    assert death_jobs <= started
    assert complete_jobs <= started


def _flows(report: RehearsalReport) -> list[str]:
    return [outcome.workflow for outcome in report.outcomes]


def _outputs(graph: object, event: str) -> set[str]:
    """Workers enqueued directly by a callback of `event`."""
    found = set()
    for workflow in graph.workflows:  # type: ignore[attr-defined]
        events = {cb.id: cb.event for cb in workflow.callbacks}
        found |= {j.worker for j in workflow.jobs if events.get(j.spawned_by or "") == event}
    return found


def _batch_workers(graph: object, event: str) -> set[str]:
    """Workers in batches that have a callback of `event`."""
    found = set()
    for workflow in graph.workflows:  # type: ignore[attr-defined]
        batches = {cb.batch for cb in workflow.callbacks if cb.event == event}
        found |= {j.worker for j in workflow.jobs if j.batch in batches}
    return found


TWICE = """
class AWorker
  include Sidekiq::Job
  def perform(n); end
end

class Twice
  def self.start
    b = Sidekiq::Batch.new
    b.on(:success, 'Twice#again')
    b.jobs { AWorker.perform_async(1) }
  end

  def again(status, options)
    AWorker.perform_async(1)
  end
end
"""


@pytest.mark.usefixtures("prefect_harness")
def test_two_jobs_with_the_same_arguments_both_run_even_with_results_persisted(tmp_path: Path) -> None:
    from prefect.settings import temporary_settings

    (tmp_path / "twice.rb").write_text(TWICE, encoding="utf-8")
    # with persistence on, Prefect's default cache policy would answer the second job
    # from the first one's result (same task, same inputs, same flow run); Sidekiq runs both
    with temporary_settings({"results.persist_by_default": True}):
        _, report = _rehearse(tmp_path, tmp_path)
    assert len(_times(report, "twice", "start")["AWorker"]) == 2
