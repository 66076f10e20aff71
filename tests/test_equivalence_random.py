"""Random batch workflows, written as Ruby: the oracle, the graph and the flows agree.

Each example is a workflow of batches (see equivalence/random_workflows.py for every
shape), run with its starter parameters set, with no failure or with one worker failing.

The suite runs the same 300 examples on every run (derandomized, so CI is repeatable).
`pytest -m long_equivalence` explores new ones instead: 2,000 fresh examples, or as many
as BATCH2FLOW_EQUIVALENCE_EXAMPLES says.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from equivalence.compare import Mismatch, compare_order, compare_runs, table
from equivalence.graph_says import predict
from equivalence.random_ruby import DESCRIPTION, RubyWorkflow, ruby_workflow
from equivalence.random_workflows import WorkflowSpec, workflows
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from oracle.run_oracle import OracleRun, observe
from test_equivalence import flow_side, graph_pairs

from batch2flow.convert import convert
from batch2flow.ir import Edge, Workflow
from batch2flow.rehearse import RehearsalReport, run_flows

CI_EXAMPLES = 300


#: modules that draw from the global `random` in Prefect's background threads: its client's
#: retry jitter, and the websockets keepalive pings of its events client
_BACKGROUND_RANDOM = ("prefect.utilities.math", "websockets.asyncio.connection", "websockets.client",
                      "websockets.sync.connection")


@pytest.fixture(autouse=True, scope="module")
def _background_random_apart() -> Iterator[None]:
    """Prefect's background threads outlive a flow run and draw from the global `random`;
    Hypothesis, which watches that state while it draws the next example, would blame the
    strategy. Those modules get a generator of their own."""
    with pytest.MonkeyPatch.context() as patch:
        for name in _BACKGROUND_RANDOM:
            patch.setattr(importlib.import_module(name), "random", random.Random(0))
        yield
LONG_EXAMPLES = int(os.environ.get("BATCH2FLOW_EQUIVALENCE_EXAMPLES", "2000"))


@pytest.mark.usefixtures("prefect_harness")
@settings(max_examples=CI_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(spec=workflows(), data=st.data())
def test_random_workflows_agree_three_ways(spec: WorkflowSpec, data: st.DataObject) -> None:
    check_three_ways(ruby_workflow(spec), data)


@pytest.mark.long_equivalence
@pytest.mark.usefixtures("prefect_harness")
@settings(max_examples=LONG_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=workflows(), data=st.data())
def test_many_more_random_workflows_agree_three_ways(spec: WorkflowSpec, data: st.DataObject) -> None:
    check_three_ways(ruby_workflow(spec), data)


def check_three_ways(ruby: RubyWorkflow, data: st.DataObject) -> None:
    # most examples make a worker fail: that is where the callbacks differ (the first
    # choice is the one Hypothesis draws most often)
    fails = data.draw(st.sampled_from([True, True, True, False]), label="a worker fails")
    failing = data.draw(st.sampled_from(ruby.workers), label="failing worker") if fails else None
    fail = {failing} if failing else set()
    # what the examples cover: `pytest --hypothesis-show-statistics` counts these
    for shape in features(ruby, failing):
        event(shape)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path, source in ruby.files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(source, encoding="utf-8")
        conversion = convert([str(root)])
        [workflow] = [w for w in conversion.graph.workflows if w.starter == ruby.starter]
        run = observe(root, ruby.starter, fail, arguments=ruby.arguments)
        flows = root / "flows"
        flows.mkdir()
        report = run_flows(conversion, flows, fail, None, 0.001, {workflow.name: ruby.arguments},
                           only={workflow.name})
    case = f"random --fail {failing}" if failing else "random"
    found = disagreements(case, ruby, workflow, fail, run, report)
    assert not found, f"\n{table(found)}\n\narguments: {ruby.arguments}\n\n{_listing(ruby)}"


def disagreements(case: str, ruby: RubyWorkflow, workflow: Workflow, fail: set[str], run: OracleRun,
                  report: RehearsalReport) -> list[Mismatch]:
    """Where the oracle, the graph and the flows disagree about one run: which workers
    run, in which order, and whether the other workflow starts."""
    workers = set(ruby.workers)
    # every generated loop ends (a restart once, a job re-enqueues itself once)
    assert not run.load_errors and run.starter_error is None and not run.truncated, \
        (run.load_errors, run.starter_error, run.truncated)
    prediction = predict(workflow, fail)
    # the flow does not run a restart (it starts a new flow run); where it starts one, a
    # job of the next round comes after everything before the restart, in the oracle
    oracle_restarts = sum(batch.description == DESCRIPTION for batch in run.batches) > 1
    flow_restarts = any(started["workflow"] == workflow.name for started in report.started)
    flow_runs, violations = flow_side(report, workflow.name, graph_pairs(workflow, fail))
    pairs = graph_pairs(with_restarts(workflow) if flow_restarts else workflow, fail)
    oracle_runs = run.workers_run() & workers
    found = compare_runs(case, workers, oracle_runs, prediction, flow_runs & workers)
    # a worker the graph leaves open hangs on starter parameters, callback options or the
    # batch status, which the flows translate (the generator writes no other condition, but
    # for a job's own `args` where it re-enqueues itself, a worker that ran already): there
    # the oracle and the flow must agree
    for worker in sorted(prediction.may_run & workers):
        if (worker in oracle_runs) != (worker in flow_runs):
            found.append(Mismatch(case, worker, _runs(worker in oracle_runs), "may run",
                                  _runs(worker in flow_runs)))
    ran = oracle_runs & (prediction.runs | (prediction.may_run & flow_runs))
    oracle_pairs = {(a, b) for a, b in run.ordered_pairs() if a in workers and b in workers}
    found += compare_order(case, ran, oracle_pairs, pairs, violations)
    if oracle_restarts != flow_restarts:
        found.append(Mismatch(case, "(starts the workflow again)", str(oracle_restarts), "",
                              str(flow_restarts)))
    if ruby.other_workers:
        oracle_started = bool(run.workers_run() & set(ruby.other_workers))
        flow_started = any(started["workflow"] != workflow.name for started in report.started)
        if oracle_started != flow_started:
            found.append(Mismatch(case, "(starts the other workflow)", str(oracle_started), "",
                                  str(flow_started)))
    return found


def with_restarts(workflow: Workflow) -> Workflow:
    """The workflow with its restarts drawn as edges back to what the starter does (and
    what the performs of its jobs do, which no edge follows): a job of the next round
    comes after everything before the restart."""
    actors: dict[str, str | None] = {job.id: job.spawned_by for job in workflow.jobs}
    actors.update({cb.id: cb.registered_by for cb in workflow.callbacks})
    jobs = {job.id for job in workflow.jobs}

    def from_the_starter(node: str) -> bool:
        actor = actors[node]
        while actor in jobs:
            actor = actors[actor]
        return actor is None

    firsts = [node for node in actors if from_the_starter(node)]
    loops = [Edge(start.id, node, "success") for start in workflow.starts if start.restart for node in firsts]
    return dataclasses.replace(workflow, edges=workflow.edges + tuple(loops))


def features(ruby: RubyWorkflow, failing: str | None) -> set[str]:
    found = {"a worker fails" if failing else "no failure"}
    found |= ruby.shapes
    if len(ruby.workers) > 3:
        found.add("more than 3 workers")
    if len(ruby.files) > 1:
        found.add("several files")
    return found


def _runs(ran: bool) -> str:
    return "runs" if ran else "does not run"


def _listing(ruby: RubyWorkflow) -> str:
    return "\n".join(f"# ---- {path}\n{source}" for path, source in sorted(ruby.files.items()))
