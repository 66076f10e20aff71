"""The read-back check: a generated flow that does not say what the graph says is refused."""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURES

from batch2flow.codegen.planner import plan_flow
from batch2flow.codegen.readback import ReadBackMismatch, check_flow, read_flow
from batch2flow.codegen.render import render_flow
from batch2flow.graph import build_graph


def _seed() -> tuple[str, object, dict[str, str], dict[str, str]]:
    graph = build_graph([str(FIXTURES / "seed_pipeline")])
    [workflow] = graph.workflows
    plan = plan_flow(workflow, {w.name: w for w in graph.workers}, {workflow.name: workflow.params})
    return render_flow(plan), workflow, dict(plan.variables), dict(plan.task_names)


def test_the_generated_flow_passes() -> None:
    source, workflow, variables, tasks = _seed()
    check_flow(source, workflow, variables, tasks)  # type: ignore[arg-type]
    shape = read_flow(source)
    assert shape.waits_for["flow3_task"] >= {"flow1_task2", "flow2_task"}
    assert shape.waits_for["flow1_task1"] == {"flow1"}  # only the job that enqueued it
    assert shape.waits_for["kickoff"] == set()


BREAKAGES = {
    "dropped_task": (r"\n    flow2_task = .*\n", "\n"),
    "lost_wait": (r"flow3_task_worker.submit\(source_id, run_date, wait_for=b2.succeeded\(\)\)",
                  "flow3_task_worker.submit(source_id, run_date)"),
    "waits_too_long": (r"flow1_task2_worker.submit\(source_id, run_date, wait_for=b3.succeeded\(\)\)",
                       "flow1_task2_worker.submit(source_id, run_date, wait_for=b2.succeeded())"),
    "wrong_task": (r"flow2_task = b4.add\(flow2_task_worker", "flow2_task = b4.add(flow3_task_worker"),
    "submitted_twice": (r"(\n    flow2_task = .*\n)", r"\1\1"),
    "fan_out_lost": (
        r"flow2_task = b4.add\(flow2_task_worker.submit\(source_id, run_date, wait_for=\[flow2\]\)\)",
        "flow2_task = b4.add(flow2_task_worker.map([source_id], [run_date], wait_for=[flow2]))",
    ),
    "enqueuer_not_waited": (r"wait_for=\[flow2\]", "wait_for=[]"),
    # the last step's callback no longer waits for the block that adds step 4 to b1
    "callback_after_dropped": (r"'on_success_b5', 'on_success_b7'\]", "'on_success_b5']"),
    "callback_never_runs": (r"    @run.callback\(target=[^\n]*\)\n(    def on_success_b3)", r"\1"),
}


@pytest.mark.parametrize("pattern", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_a_flow_that_differs_from_the_graph_is_refused(pattern: tuple[str, str]) -> None:
    source, workflow, variables, tasks = _seed()
    broken, count = re.subn(pattern[0], pattern[1], source, count=1)
    assert count == 1, "the breakage did not apply: the test is out of date"
    with pytest.raises(ReadBackMismatch, match="workflow data_pipeline"):
        check_flow(broken, workflow, variables, tasks)  # type: ignore[arg-type]
