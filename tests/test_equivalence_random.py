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
from equivalence.compare import table
from equivalence.graph_says import graph_document, predict
from equivalence.random_workflows import BatchSpec, batches, ruby_workflow
from equivalence.timing import LONG_SECONDS, SHORT_SECONDS
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_equivalence import check_workflow

from batch2flow.convert import convert

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
        document = graph_document([str(root)])
        [workflow] = document["workflows"]
        case = f"random --fail {failing}" if failing else "random"
        found = check_workflow(case, root, conversion, document, workflow["name"], fail, root / "flows",
                               _durations(data, workers))
    assert not predict(workflow, fail).may_run, "every generated condition is decidable"
    assert not found, f"\n{table(found)}\n\n{source}"


def _durations(data: st.DataObject, workers: list[str]) -> dict[str, float]:
    """Short simulated jobs, and in some examples one long one: a flow that makes a job
    wait for it without cause starts that job late (see equivalence/timing.py)."""
    chosen = {w: SHORT_SECONDS[0] for w in workers}
    if data.draw(st.sampled_from([True, False, False]), label="one job is long"):
        event("timing checked with a long job")
        chosen[data.draw(st.sampled_from(workers), label="long worker")] = LONG_SECONDS
    return chosen


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
