"""`shape_of`: a workflow's workers and their happens-before, in pairs per construct."""

from __future__ import annotations

from ir_factory import callback, job, nightly_report, workflow

from batch2flow.ir import Edge
from batch2flow.render.mermaid import workflow_chart
from batch2flow.render.mermaid_marks import Marks
from batch2flow.review.relation import Order, shape_of


def test_the_event_is_the_first_callbacks_on_the_way() -> None:
    wf = workflow(
        jobs=(job("j1", "BuildWorker", 1), job("j2", "MailWorker", 2), job("j3", "ArchiveWorker", 3)),
        callbacks=(callback("c1", "success", "Steps#built", 4), callback("c2", "complete", "Steps#sent", 5)),
        edges=(Edge("j1", "c1", "success"), Edge("c1", "j2", "success"),
               Edge("j2", "c2", "complete"), Edge("c2", "j3", "complete")),
    )
    assert shape_of(wf).order == {
        Order("BuildWorker", "MailWorker", "success"), Order("BuildWorker", "ArchiveWorker", "success"),
        Order("MailWorker", "ArchiveWorker", "complete"),
    }


def test_a_loop_edge_orders_nothing_and_parallel_jobs_stay_unordered() -> None:
    shape = shape_of(nightly_report())
    assert Order("Billing::ChargeWorker", "NotifyWorker", "success") in shape.order
    # c3 re-registers itself: following that edge would order the charge before itself
    assert not any(pair.after in {"Billing::ChargeWorker", "Billing::RefundWorker"} for pair in shape.order)
    assert dict(shape.fan_out) == {"Billing::ChargeWorker": False, "Billing::RefundWorker": False,
                                   "Exports::RowWorker": True, "worker_class.constantize": False,
                                   "NotifyWorker": False}


def test_two_jobs_of_one_worker_can_be_ordered_but_a_job_never_after_itself() -> None:
    wf = workflow(
        jobs=(job("j1", "SyncWorker", 1), job("j2", "SyncWorker", 2)),
        callbacks=(callback("c1", "death", "Steps#retry", 3),),
        edges=(Edge("j1", "c1", "death"), Edge("c1", "j2", "death")),
    )
    assert shape_of(wf).order == {Order("SyncWorker", "SyncWorker", "death")}
    assert shape_of(workflow(jobs=(job("j1", "SyncWorker", 1),))).order == frozenset()


def test_a_chart_without_marks_is_drawn_as_before() -> None:
    wf = nightly_report()
    assert workflow_chart(wf, Marks()) == workflow_chart(wf)
    assert "classDef" not in workflow_chart(wf) and "linkStyle" not in workflow_chart(wf)
