"""Three-way agreement: the Ruby oracle (real Sidekiq, a faithful Batch implementation),
`batch2flow graph`, and the generated flows under Prefect (`rehearse`), for every
fixture with no failure, and with each of its workers failing in turn. Disagreements
are printed as a table: case, worker, what each side says."""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from pathlib import Path

import pytest
from conftest import FIXTURES
from equivalence.compare import Mismatch, compare_order, compare_runs, table
from equivalence.graph_says import predict
from equivalence.timing import confirmed, durations, timeline, timing_mismatches
from goldens import fixture_dirs
from oracle.run_oracle import observe
from reachability import reachable

from batch2flow.convert import Conversion, convert
from batch2flow.diagnostics import Severity
from batch2flow.graph import build_graph
from batch2flow.ir import Workflow
from batch2flow.rehearse import RehearsalReport, run_flows

#: flow parameters the conditions of a fixture read (the oracle passes stand-ins there;
#: these values take no branch the graph is certain about)
PARAMETERS = {"billing_dunning": {"account_id": 7, "stage": "none", "plan": "none", "channels": []}}

#: Ruby stops on bad_input's broken files before any job runs, so it gets its own test
BAD_INPUT = "bad_input"


def graph_pairs(workflow: Workflow, fail: set[str]) -> set[tuple[str, str]]:
    """(A, B) for each worker B the graph orders after worker A in a run where the workers
    in `fail` die. An edge from a job into a `:death` callback holds only when that job
    dies (the callback fires at the first death, not after the other jobs)."""
    jobs = {job.id: job.worker for job in workflow.jobs if not job.placeholder}
    on_death = {cb.id for cb in workflow.callbacks if cb.event == "death"}
    successors: dict[str, list[str]] = defaultdict(list)
    for edge in workflow.edges:
        if edge.target in on_death and edge.source in jobs and jobs[edge.source] not in fail:
            continue
        successors[edge.source].append(edge.target)
    pairs = set()
    for job_id, worker in jobs.items():
        for later in reachable(successors, job_id):
            if later in jobs and jobs[later] != worker:
                pairs.add((worker, jobs[later]))
    return pairs


def split_pairs(workflow: Workflow, fail: set[str]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The graph's pairs, split: (A, B) where B follows every A job, and (A, B) where B
    follows A only through A's death (B may start at the first death)."""
    jobs = {job.id: job.worker for job in workflow.jobs if not job.placeholder}
    on_death = {cb.id for cb in workflow.callbacks if cb.event == "death"}
    later: dict[str, list[str]] = defaultdict(list)
    for edge in workflow.edges:
        if not (edge.target in on_death and edge.source in jobs):
            later[edge.source].append(edge.target)
    after_all = set()
    for job_id, worker in jobs.items():
        after_all |= {(worker, jobs[n]) for n in reachable(later, job_id) if n in jobs and jobs[n] != worker}
    return after_all, graph_pairs(workflow, fail) - after_all


def flow_waits(workflow: Workflow) -> set[tuple[str, str]]:
    """(A, B) where the flow submits B once A ran: A's perform enqueued B."""
    jobs = {job.id: job.worker for job in workflow.jobs}
    return {(jobs[job.spawned_by], job.worker) for job in workflow.jobs if job.spawned_by in jobs}


def flow_side(report: RehearsalReport, workflow: str,
              pairs: set[tuple[str, str]]) -> tuple[set[str], set[tuple[str, str]]]:
    starts: dict[str, float] = {}
    ends: dict[str, float] = {}
    for event in report.events:
        if event["flow"] != workflow:
            continue
        worker, t = str(event["worker"]), float(event["t"])  # type: ignore[arg-type]
        if event["event"] == "start":
            starts[worker] = min(t, starts.get(worker, t))
        else:
            ends[worker] = max(t, ends.get(worker, t))
    violations = {(a, b) for a, b in pairs if a in ends and b in starts and starts[b] < ends[a]}
    return set(starts), violations


def check_workflow(case: str, root: Path, conversion: Conversion, workflow: Workflow,
                   fail: set[str], folder: Path, chosen: dict[str, float] | None = None) -> list[Mismatch]:
    """Mismatches of one run; `chosen` overrides the seeded job durations."""
    folder.mkdir(exist_ok=True)
    workers = {job.worker for job in workflow.jobs if not job.placeholder}
    run = observe(root, workflow.starter, fail)
    oracle_runs = run.workers_run() & workers
    prediction = predict(workflow, fail)
    report = run_flows(conversion, folder, fail, None, 0.002, PARAMETERS, only={workflow.name},
                       durations=chosen or durations(case, workers))
    pairs = graph_pairs(workflow, fail)
    flow_runs, _ = flow_side(report, workflow.name, pairs)
    found = compare_runs(case, workers, oracle_runs, prediction, flow_runs & workers)
    ran = oracle_runs & prediction.runs
    oracle_pairs = {(a, b) for a, b in run.ordered_pairs() if a in workers and b in workers}
    found += compare_order(case, ran, oracle_pairs, pairs, set())
    after_all, after_first_death = split_pairs(workflow, fail)
    line = timeline(report.events, report.flow_starts, workflow.name)
    found += timing_mismatches(case, line, after_all, after_first_death, flow_waits(workflow))
    return found


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("fixture", [f for f in fixture_dirs() if f.name != BAD_INPUT], ids=lambda p: p.name)
def test_fixture_agrees_three_ways(tmp_path: Path, fixture: Path) -> None:
    conversion = convert([str(fixture)])
    mismatches: list[Mismatch] = []
    for workflow in conversion.graph.workflows:
        workers = sorted({job.worker for job in workflow.jobs if not job.placeholder})
        for failing in [None, *workers]:
            fail = {failing} if failing else set()
            case = f"{fixture.name}/{workflow.name}" + (f" --fail {failing}" if failing else "")
            folder = tmp_path / f"{workflow.name}-{failing or 'none'}"
            run = partial(check_workflow, case, fixture, conversion, workflow, fail, folder)
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
