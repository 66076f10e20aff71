"""Why a job of a rehearsal never started, read from the graph and the run's job events
(the rehearsals themselves are in test_rehearse_cli.py: these need no Prefect)."""

from __future__ import annotations

from functools import cache

import pytest
from conftest import FIXTURES, workflow_named

from batch2flow.graph import build_graph
from batch2flow.ir import Graph
from batch2flow.never_started import never_started


@cache
def _graph(fixture: str) -> Graph:
    return build_graph([str(FIXTURES / fixture)])


def _events(started: list[str], failed: list[str]) -> list[dict[str, object]]:
    return ([{"worker": w, "event": "start"} for w in started]
            + [{"worker": w, "event": "end"} for w in started if w not in failed]
            + [{"worker": w, "event": "fail"} for w in failed])


SEED_STEP_1 = ["KickoffWorker", "Flow1Worker", "Flow2Worker", "Flow1Task1Worker", "Flow2TaskWorker",
               "Flow1Task2Worker"]


def test_every_job_after_a_failed_step_1_worker_names_it() -> None:
    wf = workflow_named(_graph("seed_pipeline"), "data_pipeline")
    found = dict(never_started(wf, _events(SEED_STEP_1, ["Flow2TaskWorker"]), []))
    why = "waits for Flow2TaskWorker (app/workers/flow2_worker.rb:13), which failed"
    assert found == dict.fromkeys(
        ["PipelineFinishedWorker", "Flow3TaskWorker", "Flow4Task1Worker", "Flow4Task2Worker"], why)


def test_the_nearest_failure_is_named() -> None:
    """Step 2 failed after step 1 succeeded: step 3 waits for it, not for anything before."""
    wf = workflow_named(_graph("seed_pipeline"), "data_pipeline")
    found = dict(never_started(wf, _events([*SEED_STEP_1, "Flow3TaskWorker"], ["Flow3TaskWorker"]), []))
    assert found["Flow4Task1Worker"] == ("waits for Flow3TaskWorker "
                                         "(app/services/data_pipeline/callbacks.rb:27), which failed")
    assert "Flow3TaskWorker" not in found and "Flow2TaskWorker" not in found


def test_noop_a_run_where_everything_started_has_nothing_to_say() -> None:
    wf = workflow_named(_graph("seed_pipeline"), "data_pipeline")
    everyone = sorted({job.worker for job in wf.jobs})
    assert never_started(wf, _events(everyone, []), []) == []


def test_branches_not_taken_are_named_with_their_condition() -> None:
    wf = workflow_named(_graph("conditions"), "billing_dunning")
    found = dict(never_started(wf, _events(["Billing::LoadAccountWorker", "Billing::SuspendAccountWorker"],
                                           []), []))
    assert found["Billing::SendWarningWorker"] == (
        "branch `if !(stage == 'final') && stage == 'reminder'` not taken "
        "(app/workers/billing/dunning_worker.rb:20)")
    assert "Billing::SuspendAccountWorker" not in found


def test_a_death_callback_that_did_not_fire_and_a_chain_stopped_by_a_failure() -> None:
    wf = workflow_named(_graph("worker_values"), "sync_nightly_sync")
    fetchers = ["Sync::FetchStripeWorker", "Sync::FetchShopifyWorker", "Sync::PurgeCacheWorker"]
    # nothing failed, the next step started: only the :death work is left out
    assert dict(never_started(wf, _events(fetchers, []), ["sync_nightly_sync_merge_step"])) == {
        "Sync::AlertWorker": "runs on :death of batch b1 (app/services/sync/nightly_sync.rb:13), "
                             "and no job of it died"}
    found = dict(never_started(wf, _events([*fetchers, "Sync::AlertWorker"], ["Sync::FetchStripeWorker"]),
                               []))
    assert found == {"workflow sync_nightly_sync_merge_step":
                     "waits for Sync::FetchStripeWorker (app/services/sync/nightly_sync.rb:15), which failed"}


@pytest.mark.parametrize(("failed", "why"), [
    pytest.param([], "branch `if status.failures.zero?` not taken (app/services/sync/nightly_sync.rb:54)",
                 id="branch"),
    # a :complete callback runs whatever failed: the branch, not the failure, is why
    pytest.param(["Sync::MergeWorker"],
                 "branch `if status.failures.zero?` not taken (app/services/sync/nightly_sync.rb:54)",
                 id="complete_runs_anyway"),
])
def test_a_workflow_start_on_a_branch(failed: list[str], why: str) -> None:
    wf = workflow_named(_graph("worker_values"), "sync_nightly_sync_merge_step")
    assert never_started(wf, _events(["Sync::MergeWorker"], failed), []) == [
        ("workflow sync_nightly_sync_export_step", why)]


def test_the_timeline_says_why_under_its_flow_and_shows_ruby_text_escaped() -> None:
    from batch2flow.rehearse import FlowOutcome, RehearsalReport, timeline

    events = [{**event, "t": 0.5, "flow": "data_pipeline"}
              for event in _events(SEED_STEP_1, ["Flow2TaskWorker"])]
    report = RehearsalReport(outcomes=[FlowOutcome("data_pipeline", "Failed", "1/10 states failed.")],
                             events=events, notes=["ruby_value(\"\x1b]0;x\x07\") stood in"])
    lines = timeline(report, _graph("seed_pipeline")).splitlines()
    assert lines[0] == "flow data_pipeline: Failed (1/10 states failed.)"
    assert lines[-1] == 'note: ruby_value("\\x1b]0;x\\x07") stood in'
    idle = [line for line in lines if "never started" in line]
    assert idle[1] == ("  never started  Flow3TaskWorker: waits for Flow2TaskWorker "
                       "(app/workers/flow2_worker.rb:13), which failed")
    assert lines.index(idle[0]) > max(i for i, line in enumerate(lines) if line.endswith("Flow2TaskWorker"))


def test_a_fan_out_over_no_items_and_a_job_with_no_known_reason() -> None:
    wf = workflow_named(_graph("fan_out"), "emails_newsletter")
    ran = [job.worker for job in wf.jobs if job.worker != "Emails::SendNewsletterWorker"]
    found = dict(never_started(wf, _events(ran, []), []))
    assert list(found) == ["Emails::SendNewsletterWorker"]
    assert found["Emails::SendNewsletterWorker"].startswith("enqueued once per item of `")
    assert found["Emails::SendNewsletterWorker"].endswith("`, which had none")
    plain = dict(never_started(wf, _events([], []), []))["Emails::PrepareTemplateWorker"]
    assert plain == "not reached, though nothing it waits for failed and it sits in no branch"
