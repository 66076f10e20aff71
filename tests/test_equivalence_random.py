"""Random batch workflows, written as Ruby: the oracle, the graph and the flows agree.

Each example is a tree of batches with success/complete/death callbacks, steps chained
by reopening `status.parent_bid`, fan-out and conditions on `status.failures`, run with
no failure or with one worker failing. Runs only when BATCH2FLOW_EQUIVALENCE_EXAMPLES
says how many examples to try.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from equivalence.compare import compare_order, compare_runs, table
from equivalence.graph_says import predict
from equivalence.random_workflows import batches, ruby_workflow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle.run_oracle import observe
from test_equivalence import flow_side, graph_pairs

from batch2flow.convert import convert
from batch2flow.rehearse import run_flows

EXAMPLES = int(os.environ.get("BATCH2FLOW_EQUIVALENCE_EXAMPLES", "0"))

# Opt-in for now: at about a second per example and with one flaky example still to
# explain, it does not fit CI yet (see the open equivalence issue).
pytestmark = pytest.mark.skipif(EXAMPLES == 0, reason="set BATCH2FLOW_EQUIVALENCE_EXAMPLES to run")


@pytest.mark.usefixtures("prefect_harness")
@settings(max_examples=max(EXAMPLES, 1), deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(spec=batches(), data=st.data())
def test_random_workflows_agree_three_ways(spec: object, data: st.DataObject) -> None:
    source, workers = ruby_workflow(spec)  # type: ignore[arg-type]
    failing = data.draw(st.sampled_from([None, *workers]), label="failing worker")
    fail = {failing} if failing else set()
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
    pairs = graph_pairs(workflow)
    flow_runs, violations = flow_side(report, workflow.name, pairs)
    case = f"random --fail {failing}" if failing else "random"
    found = compare_runs(case, set(workers), run.workers_run(), prediction, flow_runs)
    found += compare_order(case, run.workers_run() & prediction.runs, run.ordered_pairs(), pairs,
                           violations)
    assert not found, f"\n{table(found)}\n\n{source}"
