"""Small IR graphs built by hand for the renderer tests.

`sample_graph()` holds one of each thing a renderer must draw: a parent batch with
two parallel jobs, a child batch with a fan-out job and a conditional placeholder,
callbacks on success / death / complete, a job and a conditional start after the
success callback, a callback that re-registers itself (a loop edge), and a second,
tiny workflow. Builders take keyword overrides so a test changes one field only.
"""

from __future__ import annotations

from dataclasses import replace

from batch2flow import diagnostics as diag
from batch2flow.ir import Batch, Callback, Edge, Graph, Job, Span, Start, Worker, Workflow

STARTER_FILE = "app/services/nightly_report.rb"
CALLBACK_FILE = "app/workers/report_callbacks.rb"


def span(line: int, file: str = STARTER_FILE, col: int = 5) -> Span:
    return Span(file, line, col)


def job(ident: str, worker: str, line: int, **changes: object) -> Job:
    base = Job(id=ident, worker=worker, span=span(line), via="perform_async", batch="b1",
               fan_out=False, condition=None, spawned_by=None, placeholder=False, args=("id",))
    return replace(base, **changes)  # type: ignore[arg-type]


def callback(ident: str, event: str, target: str, line: int, **changes: object) -> Callback:
    base = Callback(id=ident, batch="b1", event=event, target=target, span=span(line),
                    options=None, condition=None, placeholder=False,
                    method_span=span(1, CALLBACK_FILE), repeats=None)
    return replace(base, **changes)  # type: ignore[arg-type]


def workflow(name: str = "nightly_report", /, **changes: object) -> Workflow:
    base = Workflow(name=name, starter="NightlyReport#call", params=("date",), entry=span(5),
                    batches=(), jobs=(), callbacks=(), starts=(), edges=())
    return replace(base, **changes)  # type: ignore[arg-type]


def graph(*workflows: Workflow, **changes: object) -> Graph:
    return replace(Graph(workflows=workflows, workers=(), diagnostics=()), **changes)  # type: ignore[arg-type]


def nightly_report() -> Workflow:
    batches = (
        Batch("b1", span(5), None, "Nightly report", "critical"),
        Batch("b2", span(9), "b1", None, None),
    )
    jobs = (
        job("j1", "Billing::ChargeWorker", 7),
        job("j2", "Billing::RefundWorker", 8),
        job("j3", "Exports::RowWorker", 10, batch="b2", fan_out=True, via="perform_bulk"),
        job("j4", "worker_class.constantize", 11, batch="b2", placeholder=True,
            condition="opts[:deep]"),
        job("j5", "NotifyWorker", 3, batch=None, spawned_by="c1",
            span=span(3, CALLBACK_FILE)),
    )
    callbacks = (
        callback("c1", "success", "ReportCallbacks#on_success", 6),
        callback("c2", "death", "ReportCallbacks#on_death", 12, batch="b2"),
        callback("c3", "complete", "ReportCallbacks#retry_later", 13, repeats="c3"),
    )
    starts = (Start("s1", "cleanup_flow", span(4, CALLBACK_FILE), "c1",
                    "status.failures.zero?", False),)
    edges = (
        *(Edge(j, "c1", "success") for j in ("j1", "j2", "j3", "j4")),
        Edge("j3", "c2", "death"),
        Edge("j4", "c2", "death"),
        Edge("j1", "c3", "complete"),
        Edge("j2", "c3", "complete"),
        Edge("c1", "j5", "success"),
        Edge("c1", "s1", "success", condition="status.failures.zero?"),
        Edge("c3", "c3", "complete", condition="attempts < 3", loop=True),
    )
    return workflow(batches=batches, jobs=jobs, callbacks=callbacks, starts=starts, edges=edges)


def cleanup_flow() -> Workflow:
    return workflow(
        "cleanup_flow", starter="CleanupWorker#perform", params=(), entry=span(2, "app/c.rb"),
        batches=(Batch("b1", span(2, "app/c.rb"), None, None, None),),
        jobs=(job("j1", "PurgeWorker", 3, span=span(3, "app/c.rb")),),
    )


def sample_graph() -> Graph:
    workers = (
        Worker("Billing::ChargeWorker", "sidekiq", span(1, "app/workers/charge.rb"),
               ("id",), "billing", 5),
        Worker("NotifyWorker", "active_job", span(1, "app/jobs/notify.rb"), (), None, None),
    )
    problems = (
        diag.make(diag.UNKNOWN_EVENT, STARTER_FILE, 14, 3, "unknown batch event :sucess"),
        diag.make(diag.DYNAMIC_REFERENCE, STARTER_FILE, 11, 5, "worker class is dynamic"),
        diag.make(diag.UNKNOWN_WORKER, STARTER_FILE, 10, 5, "Exports::RowWorker not found"),
        diag.make(diag.CYCLE, CALLBACK_FILE, 9, 5, "retry_later re-registers itself"),
    )
    return graph(nightly_report(), cleanup_flow(), workers=workers, diagnostics=problems)
