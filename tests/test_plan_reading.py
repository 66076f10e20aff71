"""Plans as the bridge answers them: read field by field, with keys a retry makes again."""

from __future__ import annotations

import pytest

from batch2flow.runtime.errors import MalformedPlan
from batch2flow.runtime.plan_reading import derive_key, read_plan
from batch2flow.runtime.plans import Site

SITE = {"file": "app/workers/kickoff_worker.rb", "line": 16}
PLAN = {
    "batches": [{"bid": "k-b1", "parent_bid": None, "reopened": False, "description": "step 1",
                 "callback_queue": "callbacks", "site": SITE}],
    "callbacks": [{"bid": "k-b1", "event": "success", "target": "Callbacks#step1_done",
                   "options": {"source_id": 7}, "site": SITE}],
    "enqueues": [{"class": "Flow1Worker", "args": [7, "two  spaces"], "queue": "critical", "at": 30,
                  "bid": "k-b1", "site": SITE},
                 {"class": "Flow1Worker", "args": [8], "queue": None, "at": None, "bid": None, "site": SITE}],
}


def test_rows_keep_what_ruby_computed() -> None:
    plan = read_plan(PLAN, "KickoffWorker", "b2f-parent")
    first = plan.enqueues[0]
    assert (first.worker, first.args, first.queue, first.at, first.bid) == (
        "Flow1Worker", [7, "two  spaces"], "critical", 30.0, "k-b1")
    assert first.site == Site("app/workers/kickoff_worker.rb", 16)
    assert plan.callbacks[0].options == {"source_id": 7}
    assert plan.batches[0].callback_queue == "callbacks"


def test_each_row_gets_its_own_key_and_reading_again_gives_the_same_keys() -> None:
    keys = [row.key for row in read_plan(PLAN, "KickoffWorker", "b2f-parent").enqueues]
    again = [row.key for row in read_plan(PLAN, "KickoffWorker", "b2f-parent").enqueues]
    other = [row.key for row in read_plan(PLAN, "KickoffWorker", "b2f-other").enqueues]
    assert keys == again and len(set(keys)) == 2 and not set(keys) & set(other)


def test_a_key_stays_short_down_a_long_chain() -> None:
    key = "b2f-run"
    for step in range(1000):
        key = derive_key(key, f"e{step}")
    assert len(key) <= 200 and key.startswith("b2f-")


def test_no_plan_is_an_empty_plan() -> None:
    plan = read_plan(None, "EffectWorker", "k")
    assert plan.batches == plan.callbacks == plan.enqueues == []


@pytest.mark.parametrize("broken", [
    [],
    {"enqueues": {}},
    {"enqueues": [{"class": "W", "args": "7", "queue": None, "at": None, "bid": None, "site": SITE}]},
    {"enqueues": [{"class": "", "args": [], "queue": None, "at": None, "bid": None, "site": SITE}]},
    {"enqueues": [{"class": "W", "args": [], "queue": None, "at": True, "bid": None, "site": SITE}]},
    {"enqueues": [{"class": "W", "args": [], "queue": None, "at": None, "bid": None,
                   "site": {"file": "x.rb", "line": 0}}]},
    {"callbacks": [{"bid": "b", "event": "sucess", "target": "K", "options": None, "site": SITE}]},
    {"batches": [{"bid": "b", "parent_bid": 3, "site": SITE}]},
])
def test_a_malformed_plan_is_refused(broken: object) -> None:
    with pytest.raises(MalformedPlan, match="plan: "):
        read_plan(broken, "W", "k")


def test_an_unclaimed_row_names_its_site_and_claimed_rows_pass() -> None:
    plan = read_plan(PLAN, "KickoffWorker", "b2f-parent")
    assert len(plan.jobs("Flow1Worker", "app/workers/kickoff_worker.rb", 16)) == 2
    with pytest.raises(Exception, match=r"kickoff_worker\.rb:16: KickoffWorker registered :success callback"):
        plan.check_claimed()
    plan.callbacks_at("app/workers/kickoff_worker.rb", 16)
    plan.check_claimed()
