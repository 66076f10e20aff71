"""The "graph says" column of the equivalence check: read from the graph's JSON alone,
conditions decided the way Ruby would decide them, or left open."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES
from equivalence.graph_says import graph_document, predict, workflow_named
from equivalence.ruby_conditions import UNKNOWN, Scope, SomeFailures, decide, options_value

TESTS = Path(__file__).parent

DUNNING = {"account_id": 7, "stage": "final", "plan": "enterprise", "channels": ["sms"]}


@pytest.mark.parametrize(("condition", "expected"), [
    ("stage == 'final'", True),
    ("!(stage == 'final') && stage == 'reminder'", False),
    ("['enterprise'].include?(plan)", True),
    ("channels.include?('sms')", True),
    ("!(channels.empty?)", True),
    ("stage == 'final' || unknown_thing.ready?", True),  # settled by one side
    ("unknown_thing.ready? && plan == 'free'", False),
    ("unknown_thing.ready? && plan == 'enterprise'", None),
    ("stage == :final", False),  # a string is never a symbol
    ("Crm::ListCursor.new(list_id).page?(page)", None),
    ("channels.size > 0 ? true : false", True),
])
def test_conditions_on_parameters_are_decided_like_ruby(condition: str, expected: bool | None) -> None:
    assert decide(condition, Scope(DUNNING)) is expected


def test_status_counts_are_decided_only_as_far_as_the_run_knows_them() -> None:
    some = Scope({}, status={"failures": SomeFailures(), "total": 2, "pending": UNKNOWN})
    none = Scope({}, status={"failures": 0, "total": 2, "pending": 0})
    for condition, with_some, with_none in [
        ("status.failures > 0", True, False), ("status.failures.zero?", False, True),
        ("status.failures >= 1", True, False), ("status.failures > 1", None, False),
        ("status.total == 2", True, True), ("status.pending.zero?", None, True),
    ]:
        assert (decide(condition, some), decide(condition, none)) == (with_some, with_none), condition


def test_options_come_back_through_json_with_string_keys() -> None:
    options = options_value("'id' => account_id, mode: :fast", Scope({"account_id": 7}))
    assert options == {"id": 7, "mode": "fast"}
    scope = Scope({}, options=options)
    assert decide("options['mode'] == 'fast'", scope) is True
    assert decide("options[:id]", scope) is False  # a symbol key finds nothing: nil


def test_a_prediction_follows_the_parameters_of_the_run() -> None:
    document = graph_document([str(FIXTURES / "conditions")])
    dunning = workflow_named(document, "billing_dunning")
    final = predict(dunning, set(), DUNNING)
    assert "Billing::SuspendAccountWorker" in final.runs
    assert "Billing::SendWarningWorker" not in final.runs | final.may_run
    reminder = predict(dunning, set(), DUNNING | {"stage": "reminder", "plan": "free"})
    assert "Billing::SendWarningWorker" in reminder.runs
    assert "Billing::RetryChargeWorker" not in reminder.runs | reminder.may_run
    # with nothing known, a condition on a parameter is left open
    unknown = predict(dunning, set())
    assert {"Billing::SuspendAccountWorker", "Billing::SendWarningWorker"} <= unknown.may_run


def test_a_death_settles_the_callbacks_and_the_jobs_behind_them() -> None:
    document = graph_document([str(FIXTURES / "seed_pipeline")])
    [pipeline] = document["workflows"]
    clean = predict(pipeline, set())
    assert "PipelineFinishedWorker" in clean.runs
    dying = predict(pipeline, {"Flow1Task1Worker"})
    # step 1 never succeeds: no later step, no finish
    assert not {"Flow3TaskWorker", "PipelineFinishedWorker"} & (dying.runs | dying.may_run)


def test_the_prediction_never_loads_the_code_generator() -> None:
    """Independent of the generator: reading the JSON and predicting imports none of it."""
    script = (
        "import sys\n"
        "from equivalence.graph_says import graph_document, predict\n"
        f"document = graph_document([{str(FIXTURES / 'seed_pipeline')!r}])\n"
        "predict(document['workflows'][0], set(), document=document)\n"
        "print(sorted(m for m in sys.modules if m.startswith('batch2flow.codegen')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=TESTS, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
