"""The equivalence check can fail: flows broken in known ways are each reported.

Each mutation edits the generated flow of the seed pipeline the way a converter bug
would, then runs the same three-way check as the suite (the Ruby oracle, the graph,
the flows under Prefect) and expects a mismatch of the kind the breakage causes.
"""

from __future__ import annotations

import dataclasses
import re
from functools import partial
from pathlib import Path

import pytest
from conftest import FIXTURES
from equivalence.graph_says import graph_document
from test_equivalence import check_workflow

from batch2flow.convert import convert

SEED = FIXTURES / "seed_pipeline"
FLOW = "flows/data_pipeline.py"


@dataclasses.dataclass(frozen=True)
class Mutation:
    pattern: str
    replacement: str
    #: workers that die in the run
    fail: frozenset[str]
    #: the worker given the long job
    long: str
    #: a mismatch row whose worker column and flow column hold these
    worker: str
    flow_says: str


MUTATIONS = {
    # flow 2's task waits for flow 1's task, which Sidekiq runs beside it
    "serialise_independent_jobs": Mutation(
        r"flow2_task_worker\.submit\(source_id, run_date, wait_for=\[flow2\]\)",
        "flow2_task_worker.submit(source_id, run_date, wait_for=[flow2, flow1_task1])",
        frozenset(), "Flow1Task1Worker", "Flow2TaskWorker", "late"),
    # step 2 no longer waits for step 1
    "drop_a_wait": Mutation(
        r"flow3_task_worker\.submit\(source_id, run_date, wait_for=b2\.succeeded\(\)\)",
        "flow3_task_worker.submit(source_id, run_date)",
        frozenset(), "Flow1Task2Worker", "Flow1Task2Worker -> Flow3TaskWorker", "started before it ended"),
    "drop_a_job": Mutation(
        r"\n +flow2_task = b4\.add\(.*\n", "\n",
        frozenset(), "KickoffWorker", "Flow2TaskWorker", "does not run"),
    # the pipeline's `:success` work runs although a job of step 4 died
    "success_after_a_death": Mutation(
        r"pipeline_finished_worker\.submit\(source_id, run_date, wait_for=b1\.succeeded\(\)\)",
        "pipeline_finished_worker.submit(source_id, run_date, wait_for=b1.finished())",
        frozenset({"Flow4Task2Worker"}), "KickoffWorker", "PipelineFinishedWorker", "runs"),
}


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("name", MUTATIONS)
def test_a_broken_flow_fails_the_equivalence_check(tmp_path: Path, name: str) -> None:
    mutation = MUTATIONS[name]
    conversion = convert([str(SEED)], tasks="translated")
    document = graph_document([str(SEED)])
    [workflow] = document["workflows"]
    source, count = re.subn(mutation.pattern, mutation.replacement, conversion.files[FLOW], count=1)
    assert count == 1, "the mutation did not apply: the test is out of date"
    durations = {job["worker"]: 0.01 for job in workflow["jobs"]} | {mutation.long: 1.0}
    fail = set(mutation.fail)

    check = partial(check_workflow, name, SEED)
    intact = check(conversion, document, workflow["name"], fail, tmp_path / "intact", durations)
    assert intact == [], "the unbroken flow must pass the same check"
    broken = dataclasses.replace(conversion, files={**conversion.files, FLOW: source})
    found = check(broken, document, workflow["name"], fail, tmp_path / "broken", durations)
    assert any(m.worker == mutation.worker and mutation.flow_says in m.flow for m in found), found
