"""Random batch workflows, written as Ruby: the oracle, the graph and the flows agree.

Each example is a workflow of batches (see equivalence/random_workflows.py for every
shape), run with its starter parameters set, with no failure or with one worker failing.

The suite runs the same 300 examples on every run (derandomized, so CI is repeatable).
`pytest -m long_equivalence` explores new ones instead: 2,000 fresh examples, or as many
as BATCH2FLOW_EQUIVALENCE_EXAMPLES says.
"""

from __future__ import annotations

import importlib
import os
import random
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from equivalence.compare import table
from equivalence.graph_says import graph_document
from equivalence.random_ruby import RubyWorkflow, ruby_workflow
from equivalence.random_workflows import WorkflowSpec, workflows
from equivalence.timing import LONG_SECONDS, SHORT_SECONDS, confirmed
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_equivalence import Inputs, check_workflow

from batch2flow.convert import convert

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
        conversion = convert([str(root)], tasks="translated")
        document = graph_document([str(root)])
        [workflow] = [w for w in document["workflows"] if w["starter"] == ruby.starter]
        case = f"random --fail {failing}" if failing else "random"
        # the generator writes only conditions the flows translate: where the graph
        # leaves a worker open, Ruby and the flow must still agree
        check = partial(check_workflow, case, root, conversion, document, workflow["name"], fail,
                        root / "flows", _durations(data, ruby.workers), Inputs(ruby.arguments),
                        translated=True)
        found = confirmed(check)  # a late start counts when it happens again
    assert not found, f"\n{table(found)}\n\narguments: {ruby.arguments}\n\n{_listing(ruby)}"


def _durations(data: st.DataObject, workers: list[str]) -> dict[str, float]:
    """Short simulated jobs, and in some examples one long one: a flow that makes a job
    wait for it without cause starts that job late (see equivalence/timing.py)."""
    chosen = {w: SHORT_SECONDS[0] for w in workers}
    if data.draw(st.sampled_from([True, False, False]), label="one job is long"):
        event("timing checked with a long job")
        chosen[data.draw(st.sampled_from(workers), label="long worker")] = LONG_SECONDS
    return chosen


def features(ruby: RubyWorkflow, failing: str | None) -> set[str]:
    found = {"a worker fails" if failing else "no failure"}
    found |= ruby.shapes
    if len(ruby.workers) > 3:
        found.add("more than 3 workers")
    if len(ruby.files) > 1:
        found.add("several files")
    return found


def _listing(ruby: RubyWorkflow) -> str:
    return "\n".join(f"# ---- {path}\n{source}" for path, source in sorted(ruby.files.items()))
