"""Random batch workflows, written as Ruby: the oracle, the graph and the flows agree.

Each example is a tree of batches with success/complete/death callbacks, steps chained
by reopening `status.parent_bid`, fan-out and conditions on `status.failures`, run with
no failure or with one worker failing.

The suite runs the same 200 examples on every run (derandomized, so CI is repeatable).
`pytest -m long_equivalence` explores new ones instead: 2,000 fresh examples, or as many
as BATCH2FLOW_EQUIVALENCE_EXAMPLES says.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from equivalence.compare import compare_order, compare_runs, table
from equivalence.graph_says import predict
from equivalence.random_workflows import BatchSpec, batches, ruby_workflow
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from oracle.run_oracle import observe
from test_equivalence import flow_side, graph_pairs

from batch2flow.convert import convert
from batch2flow.rehearse import run_flows

CI_EXAMPLES = 200
LONG_EXAMPLES = int(os.environ.get("BATCH2FLOW_EQUIVALENCE_EXAMPLES", "2000"))


@pytest.mark.usefixtures("prefect_harness")
@settings(max_examples=CI_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(spec=batches(), data=st.data())
def test_random_workflows_agree_three_ways(spec: BatchSpec, data: st.DataObject) -> None:
    check_three_ways(spec, data)


@pytest.mark.long_equivalence
@pytest.mark.usefixtures("prefect_harness")
@settings(max_examples=LONG_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=batches(), data=st.data())
def test_many_more_random_workflows_agree_three_ways(spec: BatchSpec, data: st.DataObject) -> None:
    check_three_ways(spec, data)


def check_three_ways(spec: BatchSpec, data: st.DataObject) -> None:
    source, workers = ruby_workflow(spec)
    # most examples make a worker fail: that is where the callbacks differ (the first
    # choice is the one Hypothesis draws most often)
    fails = data.draw(st.sampled_from([True, True, True, False]), label="a worker fails")
    failing = data.draw(st.sampled_from(workers), label="failing worker") if fails else None
    fail = {failing} if failing else set()
    # what the examples cover: `pytest --hypothesis-show-statistics` counts these
    for feature in features(spec, failing):
        event(feature)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "random_flow.rb").write_text(source, encoding="utf-8")
        conversion = convert([str(root)])
        [workflow] = conversion.graph.workflows
        run = observe(root, workflow.starter, fail)
        flows = root / "flows"
        flows.mkdir()
        report = run_flows(conversion, flows, fail, None, 0.001)
    prediction = predict(workflow, fail)
    assert not prediction.may_run, "every generated condition is decidable"
    pairs = graph_pairs(workflow, fail)
    flow_runs, violations = flow_side(report, workflow.name, pairs)
    case = f"random --fail {failing}" if failing else "random"
    found = compare_runs(case, set(workers), run.workers_run(), prediction, flow_runs)
    found += compare_order(case, run.workers_run() & prediction.runs, run.ordered_pairs(), pairs,
                           violations)
    assert not found, f"\n{table(found)}\n\n{source}"


def features(spec: BatchSpec, failing: str | None) -> set[str]:
    found = {"a worker fails" if failing else "no failure"}
    pending = [spec]
    while pending:
        batch = pending.pop()
        if batch.children:
            found.add("child batches")
        if any(batch.jobs):
            found.add("fan-out")
        for callback in batch.callbacks:
            found.add(f"{callback.event} callback")
            if callback.enqueue:
                found.add("condition on status.failures")
            if callback.chain is not None:
                found.add("step chained through parent_bid")
                pending.append(callback.chain)
        pending.extend(batch.children)
    return found
