"""A callback's work waits for its batch and for the callbacks that registered it, but
names no wait another one already implies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES

from batch2flow.convert import convert

WORKERS = "\n".join(
    f"class {name}\n  include Sidekiq::Job\n\n  def perform; end\nend\n"
    for name in ("AWorker", "BWorker", "XWorker", "YWorker")
)

#: a callback on the parent batch registered in its child's callback, and a `:complete`
#: callback on the parent registered in the parent's `:success` callback
NESTED = WORKERS + """
class Pipeline
  def self.start
    overall = Sidekiq::Batch.new
    overall.jobs do
      step = Sidekiq::Batch.new
      step.on(:success, 'Steps#step_done')
      step.jobs { AWorker.perform_async }
    end
  end
end

class Steps
  def step_done(status, options)
    overall = Sidekiq::Batch.new(status.parent_bid)
    overall.on(:success, 'Steps#all_done')
    overall.jobs { BWorker.perform_async }
  end

  def all_done(status, options)
    overall = Sidekiq::Batch.new(status.bid)
    overall.on(:complete, 'Steps#finally')
    XWorker.perform_async
  end

  def finally(status, options)
    YWorker.perform_async
  end
end
"""

#: sibling steps, each added by the previous step's `:success` callback; with `if`, the
#: next step may be empty, and then its success says nothing about the step before
STEPS = WORKERS + """
class Pipeline
  def self.start
    overall = Sidekiq::Batch.new
    overall.jobs do
      first = Sidekiq::Batch.new
      first.on(:success, 'Steps#first_done')
      first.jobs { AWorker.perform_async }
    end
  end
end

class Steps
  def first_done(status, options)
    overall = Sidekiq::Batch.new(status.parent_bid)
    overall.jobs do
      second = Sidekiq::Batch.new
      second.on(:success, 'Steps#second_done')
      second.jobs { BWorker.perform_async CONDITION }
    end
  end

  def second_done(status, options)
    XWorker.perform_async
  end
end
"""


def _flow(tmp_path: Path, ruby: str) -> str:
    (tmp_path / "app.rb").write_text(ruby, encoding="utf-8")
    files = convert([str(tmp_path)], tasks="translated").files
    [source] = [text for name, text in files.items() if name.startswith("flows/")]
    return source


def _waits(source: str, var: str) -> str:
    match = re.search(rf"\n *{var} = .*?wait_for=(.*)\)\)  #", source)
    assert match is not None, source
    return match.group(1)


def test_a_childs_success_is_implied_by_its_parents(tmp_path: Path) -> None:
    source = _flow(tmp_path, NESTED)
    # b2 is b1's child: b1's futures hold b2's; succeeding implies finishing
    assert _waits(source, "x") == "b1.succeeded()"
    assert _waits(source, "y") == "b1.succeeded()"


@pytest.mark.parametrize(("condition", "waits"), [
    ("", "b3.succeeded()"),
    ("if Flag.on?", "[*b3.succeeded(), *b2.succeeded()]"),
], ids=["surely-submitted", "conditional"])
def test_a_steps_success_implies_the_step_before_only_through_a_job_surely_in_it(
    tmp_path: Path, condition: str, waits: str,
) -> None:
    source = _flow(tmp_path, STEPS.replace("CONDITION", condition))
    # the second step's job waited for the first step; if it may not be there, X must wait for both
    assert _waits(source, "x") == waits


def test_a_complete_callback_still_waits_for_the_success_that_registered_it() -> None:
    files = convert([str(FIXTURES / "cross_file_callbacks")], tasks="translated").files
    source = files["flows/billing_monthly_close.py"]
    # a NotReady job does not stop what waits for it with allow_failure: both waits stay
    assert _waits(source, "rebuild_cohorts") == "[*b3.finished(), *b1.succeeded()]"


def test_the_seed_pipelines_last_steps_wait_for_the_step_before_only() -> None:
    source = convert([str(FIXTURES / "seed_pipeline")], tasks="translated").files["flows/data_pipeline.py"]
    assert _waits(source, "flow4_task1") == "b5.succeeded()"
    assert _waits(source, "flow4_task2") == "b7.succeeded()"


#: A's perform starts another workflow; the starter starts one itself too
STARTS = WORKERS + """
class AJob
  include Sidekiq::Job

  def perform(id)
    Other.start(id)
  end
end

class Other
  def self.start(id)
    b = Sidekiq::Batch.new
    b.jobs { BWorker.perform_async }
  end
end

class Starter
  def self.start(id)
    Other.start(id)
    batch = Sidekiq::Batch.new
    batch.jobs { AJob.perform_async(id) }
  end
end
"""


def test_a_workflow_a_job_starts_waits_for_that_job(tmp_path: Path) -> None:
    (tmp_path / "app.rb").write_text(STARTS, encoding="utf-8")
    source = convert([str(tmp_path)], tasks="translated").files["flows/starter.py"]
    starts = [line.strip() for line in source.splitlines() if "start_other_workflow.submit(" in line]
    # Sidekiq starts it when A runs, and never if A died first; the starter's own start waits for nothing
    assert [line.split("  #")[0] for line in starts] == [
        "run.add(start_other_workflow.submit('other', {'id': id}))",
        "run.add(start_other_workflow.submit('other', {'id': id}, wait_for=[a]))",
    ]
