"""Three-way agreement: the Ruby oracle (real Sidekiq, a faithful Batch implementation),
`batch2flow graph --format json`, and the generated flows under Prefect (`rehearse`),
for every fixture with no failure, with each of its workers failing in turn, with
starter arguments that drive its conditions both ways, and with falsy stand-ins.
The workers compared are every worker some side names; the flows' timing is checked
both ways (equivalence/timing.py). Disagreements are printed as a table: case,
worker, what each side says."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest
from conftest import FIXTURES
from equivalence.compare import Mismatch, compare_open, compare_order, compare_runs, table
from equivalence.graph_says import (
    Document,
    graph_document,
    graph_workers,
    order_pairs,
    predict,
    restart_pairs,
    run_names,
    spawn_pairs,
    started_workers,
    workflow_named,
)
from equivalence.timing import LONG_SECONDS, confirmed, durations, timeline, timing_mismatches
from goldens import fixture_dirs
from oracle.run_oracle import OracleRun, StandIns, observe

from batch2flow.convert import Conversion, convert
from batch2flow.diagnostics import Severity
from batch2flow.graph import build_graph
from batch2flow.rehearse import RehearsalReport, run_flows

#: starter arguments a workflow is run with, given to Ruby and to the flow alike: the
#: first in every run, the others in a run of their own with no failure, so each
#: condition on a parameter is driven both ways
ARGUMENTS: dict[str, list[dict[str, object]]] = {"catalog_reindex_service": [{"store_ids": [3, 4]}],
                                                 # the import is found again by its id, after JSON
                                                 "imports_start_import": [{"import_id": 7}],
                                                 "billing_dunning": [
    {"account_id": 7, "stage": "final", "plan": "enterprise", "channels": ["sms"]},
    {"account_id": 7, "stage": "reminder", "plan": "free", "channels": []},
    {"account_id": 7, "stage": "none", "plan": "team", "channels": ["email"]},
]}

#: workflows whose Ruby raises on nil in a run with falsy stand-ins, with Ruby's error: the
#: run checks that it does (the flows translate the Ruby, so they cannot raise there)
RAISES_ON_NIL = {
    "billing_invoice_run": "NoMethodError: undefined method `size' for nil:NilClass",
    "billing_dunning": "NoMethodError: undefined method `include?' for nil:NilClass",
    "integrations_sync_provider": "NoMethodError: undefined method `fetch' for nil:NilClass",
}

#: Ruby stops on bad_input's broken files before any job runs, so it gets its own test
BAD_INPUT = "bad_input"


@dataclass(frozen=True)
class Inputs:
    """What one run's starter gets: arguments by name, and for the other parameters a
    stand-in (truthy) or nil (falsy: predicates on stand-ins answer false too)."""

    arguments: dict[str, object] = field(default_factory=dict)
    stand_ins: StandIns = "truthy"

    def label(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.arguments.items())
        return (f" ({given})" if given else "") + (" (falsy stand-ins)" if self.stand_ins == "falsy" else "")


def flow_starts(report: RehearsalReport, flows: set[str]) -> set[str]:
    return {str(e["worker"]) for e in report.events if e["flow"] in flows and e["event"] == "start"}


def check_workflow(case: str, root: Path, conversion: Conversion, document: Document, name: str,
                   fail: set[str], folder: Path, chosen: dict[str, float] | None = None,
                   inputs: Inputs = Inputs(), *, translated: bool = False) -> list[Mismatch]:
    """Mismatches of one run of workflow `name`, read from the graph's JSON `document`;
    `chosen` overrides the seeded job durations. `translated`: every condition of the
    tree is one the flows translate, so where the graph leaves a worker open, Ruby and
    the flow still decide it alike and must agree (and Ruby must run without an error)."""
    folder.mkdir(exist_ok=True)
    workflow = workflow_named(document, name)
    run = observe(root, workflow["starter"], fail, arguments=inputs.arguments, stand_ins=inputs.stand_ins)
    found: list[Mismatch] = []
    if inputs.stand_ins == "falsy" and name in RAISES_ON_NIL:
        return [] if run.starter_error == RAISES_ON_NIL[name] else [
            Mismatch(case, "(the starter)", str(run.starter_error), "", f"expected {RAISES_ON_NIL[name]}")]
    if inputs.stand_ins == "falsy":
        # Ruby's jobs ran on nil: a job that raised there died, and every side is
        # told so (the flows' jobs are simulated)
        found += _partly_died(case, run)
        fail = fail | {job.worker for job in run.died()}
    names = run_names(workflow["params"], inputs.arguments, inputs.stand_ins)
    prediction = predict(workflow, fail, names, inputs.stand_ins, document)
    named = started_workers(document, name)
    chosen = chosen or durations(case, named | run.workers_run())
    report = run_flows(conversion, folder, fail, None, 0.002, {name: inputs.arguments}, only={name},
                       durations=chosen)
    flow_runs = flow_starts(report, {name}) | _started_flows(conversion, folder, fail, report, {name})
    # a job whose worker is computed in Ruby runs in the rehearsal as `<ruby: source>`
    flow_runs -= {f"<ruby: {job['worker']}>" for job in workflow["jobs"] if job["placeholder"]}
    found += compare_runs(case, run.workers_run(), prediction, flow_runs, named)
    ran = run.workers_run() & prediction.runs
    if translated:
        found += _clean_ruby(case, run) + compare_open(case, run.workers_run(), prediction, flow_runs)
        ran |= run.workers_run() & prediction.may_run & flow_runs
    after_all, after_first_death = order_pairs(workflow, fail, document, prediction.starts)
    # what only a start the graph cannot settle would order: Ruby may show it or not
    sure_all, sure_death = order_pairs(workflow, fail, document, prediction.sure_starts)
    unsettled = (after_all | after_first_death) - (sure_all | sure_death)
    # the rehearsal records a restart and runs no second round; Ruby runs it, and a job
    # of the next round comes after everything that led to the restart
    flow_restarted = any(s["workflow"] == name for s in report.started)
    oracle_restarted = _restarted(run)
    if any(s["restart"] for s in workflow["starts"]) and oracle_restarted != flow_restarted:
        found.append(Mismatch(case, "(starts the workflow again)", str(oracle_restarted), "",
                              str(flow_restarted)))
    again = restart_pairs(workflow, fail) if flow_restarted else set()
    found += compare_order(case, ran, run.ordered_pairs() - unsettled,
                           (after_all | after_first_death | again) - unsettled, set())
    line = timeline(report.events, report.flow_starts, name)
    long = max(sorted(chosen), key=chosen.__getitem__, default=None)
    # a job of one item of a per-item batch may run before another item's callback's jobs
    after_all, after_first_death = order_pairs(workflow, fail, document, prediction.starts,
                                               across_items=False)
    found += timing_mismatches(case, line, after_all, after_first_death, spawn_pairs(workflow),
                               long if long is not None and chosen[long] >= LONG_SECONDS else None)
    return found


def _clean_ruby(case: str, run: OracleRun) -> list[Mismatch]:
    """Ruby loaded the tree, the starter returned, and every loop ended (a restart, or a
    job that re-enqueues itself, stops in the oracle's limit otherwise)."""
    problems = [*run.load_errors, *([run.starter_error] if run.starter_error else [])]
    problems += ["stopped at its limit of jobs or callbacks"] if run.truncated else []
    return [Mismatch(case, "(Ruby)", problem, "", "") for problem in problems]


def _restarted(run: OracleRun) -> bool:
    """Ruby built the starter's outermost batch again: its description comes back."""
    return bool(run.batches) and sum(b.description == run.batches[0].description for b in run.batches) > 1


def _started_flows(conversion: Conversion, folder: Path, fail: set[str], report: RehearsalReport,
                   seen: set[str]) -> set[str]:
    """Workers of the flows a flow run started (a rehearsal records the start and runs
    nothing), each run on its own with no parameters, and of those they start."""
    workers: set[str] = set()
    for other in sorted({str(s["workflow"]) for s in report.started} - seen):
        (folder / other).mkdir(exist_ok=True)  # a confirming rerun reuses the folder
        inner = run_flows(conversion, folder / other, fail, None, 0.002, only={other})
        workers |= flow_starts(inner, {other})
        workers |= _started_flows(conversion, folder / other, fail, inner, seen | {other})
    return workers


def _partly_died(case: str, run: OracleRun) -> list[Mismatch]:
    """A worker some of whose jobs died on nil and others not: no --fail can say that."""
    died = {job.worker for job in run.died()}
    return [Mismatch(case, worker, "died in some jobs only", "", "")
            for worker in sorted(died) if any(job.state == "succeeded" for job in run.jobs_of(worker))]


def runs_of(workflow: Document) -> list[tuple[str | None, Inputs]]:
    """(failing worker, inputs) of every run a workflow gets: each worker failing in
    turn, then the branches the first run does not take."""
    given = [Inputs(arguments) for arguments in ARGUMENTS.get(workflow["name"], [{}])]
    runs: list[tuple[str | None, Inputs]] = [(w, given[0]) for w in [None, *sorted(graph_workers(workflow))]]
    return runs + [(None, inputs) for inputs in given[1:]] + [(None, Inputs(stand_ins="falsy"))]


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("fixture", [f for f in fixture_dirs() if f.name != BAD_INPUT], ids=lambda p: p.name)
def test_fixture_agrees_three_ways(tmp_path: Path, fixture: Path) -> None:
    conversion = convert([str(fixture)], tasks="translated")
    document = graph_document([str(fixture)])
    mismatches: list[Mismatch] = []
    for workflow in document["workflows"]:
        for number, (failing, inputs) in enumerate(runs_of(workflow)):
            fail = {failing} if failing else set()
            case = (f"{fixture.name}/{workflow['name']}" + (f" --fail {failing}" if failing else "")
                    + inputs.label())
            folder = tmp_path / f"{workflow['name']}-{number}"
            run = partial(check_workflow, case, fixture, conversion, document, workflow["name"], fail, folder,
                          None, inputs)
            mismatches += confirmed(run)
    assert not mismatches, "\n" + table(mismatches)


def test_bad_input_stops_in_ruby_exactly_where_the_graph_reports_an_error() -> None:
    """The graph reads what it can of bad_input and reports each error; Ruby, given the
    same files, runs none of its workflows and stops at those very places."""
    root = FIXTURES / BAD_INPUT
    graph = build_graph([str(root)])
    errors = {d.code: d for d in graph.diagnostics if d.severity == Severity.ERROR}
    assert sorted(errors) == ["B2F010", "B2F101"]
    syntax, event = errors["B2F010"], errors["B2F101"]
    runs = {workflow.name: observe(root, workflow.starter) for workflow in graph.workflows}
    assert sorted(runs) == ["imports_bulk_import", "reports_export_ledger"]
    for run in runs.values():
        assert run.jobs == ()
        # Ruby's own syntax error is on the line the graph names
        [load_error] = run.load_errors
        assert load_error.startswith(f"{syntax.file}: SyntaxError: ")
        assert f"{syntax.file}:{syntax.line}: syntax error" in load_error
    # the worker of the broken file never loaded; the other raised at `on(:sucess, ...)`
    assert (runs["imports_bulk_import"].starter_error or "").startswith("NameError")
    assert runs["reports_export_ledger"].starter_error == "ArgumentError: Invalid event name: sucess"
    assert ":sucess" in event.message and event.file.endswith("export_ledger_worker.rb")
    # and the graph agrees: that workflow raises Ruby's error on that line, and pushes no job
    ledger = next(w for w in graph.workflows if w.name == "reports_export_ledger")
    assert ledger.jobs == () and ledger.callbacks == ()
    [raised] = ledger.raises
    assert raised.error == runs["reports_export_ledger"].starter_error
    assert (raised.span.file, raised.span.line) == (event.file, event.line)
