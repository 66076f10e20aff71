"""A callback that reads its batch's status, or waits for a death, holds up nothing it
does not gate: each callback block runs in a thread of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from equivalence.timing import timeline

from batch2flow.convert import convert
from batch2flow.rehearse import run_flows

WORKERS = "\n".join(
    f"class {name}\n  include Sidekiq::Job\n\n  def perform; end\nend\n"
    for name in ("AWorker", "BWorker", "XWorker", "YWorker")
)

#: two sibling child batches, each with a `:complete` callback whose enqueue hangs on
#: `status.failures`: Y waits for B's batch only, never for the slow A
SIBLINGS_WITH_STATUS = WORKERS + """
class Siblings
  def self.start
    root = Sidekiq::Batch.new
    root.jobs do
      slow = Sidekiq::Batch.new
      slow.on(:complete, 'Steps#slow_done')
      slow.jobs { AWorker.perform_async }
      quick = Sidekiq::Batch.new
      quick.on(:complete, 'Steps#quick_done')
      quick.jobs { BWorker.perform_async }
    end
  end
end

class Steps
  def slow_done(status, options)
    XWorker.perform_async if status.failures.zero?
  end

  def quick_done(status, options)
    YWorker.perform_async if status.failures.zero?
  end
end
"""

#: a `:death` callback on each batch; the quick one's job dies, the slow one's does not
DEATHS = WORKERS + """
class Siblings
  def self.start
    slow = Sidekiq::Batch.new
    slow.on(:death, 'Steps#slow_died')
    slow.jobs { AWorker.perform_async }
    quick = Sidekiq::Batch.new
    quick.on(:death, 'Steps#quick_died')
    quick.jobs { BWorker.perform_async }
  end
end

class Steps
  def slow_died(status, options)
    XWorker.perform_async
  end

  def quick_died(status, options)
    YWorker.perform_async
  end
end
"""

LONG = 1.5


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize(("ruby", "fail"), [(SIBLINGS_WITH_STATUS, set()), (DEATHS, {"BWorker"})],
                         ids=["status", "death"])
def test_a_slow_unrelated_batch_does_not_hold_up_a_callback(tmp_path: Path, ruby: str,
                                                             fail: set[str]) -> None:
    (tmp_path / "siblings.rb").write_text(ruby, encoding="utf-8")
    conversion = convert([str(tmp_path)], tasks="translated")
    [plan] = conversion.plans
    folder = tmp_path / "flows"
    folder.mkdir()
    report = run_flows(conversion, folder, fail, None, 0.01, durations={"AWorker": LONG})
    assert [outcome.state for outcome in report.outcomes] == ["Failed" if fail else "Completed"]
    line = timeline(report.events, report.flow_starts, plan.workflow)
    a_ends, y_starts = max(line.ends["AWorker"]), min(line.starts["YWorker"])
    # Y follows B (10 ms) and its callback: it must start long before A's 1.5 s are up
    assert y_starts < a_ends - LONG / 2, report.events
    assert y_starts > max(line.ends["BWorker"])


#: a `:death` callback on the overall batch; a step's `:success` callback, which reads its
#: status (so its block waits for the slow step), adds B to the overall batch afterwards
DEATH_WHILE_A_CALLBACK_ADDS = WORKERS + """
class SlowWorker
  include Sidekiq::Job

  def perform; end
end

class Pipeline
  def self.start
    overall = Sidekiq::Batch.new
    overall.on(:death, 'Steps#died')
    overall.jobs do
      AWorker.perform_async
      step = Sidekiq::Batch.new
      step.on(:success, 'Steps#step_done')
      step.jobs { SlowWorker.perform_async }
    end
  end
end

class Steps
  def died(status, options)
    XWorker.perform_async
  end

  def step_done(status, options)
    overall = Sidekiq::Batch.new(status.parent_bid)
    overall.jobs { BWorker.perform_async } if status.failures.zero?
  end
end
"""


def _run_death_case(tmp_path: Path, fail: set[str], ruby: str = "") -> tuple[str, object]:
    (tmp_path / "pipeline.rb").write_text(ruby or DEATH_WHILE_A_CALLBACK_ADDS, encoding="utf-8")
    conversion = convert([str(tmp_path)], tasks="translated")
    [plan] = conversion.plans
    folder = tmp_path / "flows"
    folder.mkdir()
    report = run_flows(conversion, folder, fail, None, 0.01, durations={"SlowWorker": LONG})
    [outcome] = report.outcomes
    return outcome.state, timeline(report.events, report.flow_starts, plan.workflow)


@pytest.mark.usefixtures("prefect_harness")
def test_a_death_callback_fires_at_the_death_not_after_the_callbacks_that_add_jobs(tmp_path: Path) -> None:
    state, line = _run_death_case(tmp_path, {"AWorker"})
    assert state == "Failed"
    # X follows A's death (10 ms), while the step's callback still waits for the slow step
    assert min(line.starts["XWorker"]) < max(line.ends["SlowWorker"]) - LONG / 2  # type: ignore[attr-defined]
    assert min(line.starts["XWorker"]) > max(line.deaths["AWorker"])  # type: ignore[attr-defined]


@pytest.mark.usefixtures("prefect_harness")
def test_a_death_callback_sees_a_job_a_later_callback_added(tmp_path: Path) -> None:
    state, line = _run_death_case(tmp_path, {"BWorker"})
    assert state == "Failed"
    # B joined the batch after the slow step; its death still fires the callback
    assert min(line.starts["XWorker"]) > max(line.deaths["BWorker"])  # type: ignore[attr-defined]


@pytest.mark.usefixtures("prefect_harness")
def test_a_death_callback_without_a_death_never_fires(tmp_path: Path) -> None:
    state, line = _run_death_case(tmp_path, set())
    assert state == "Completed"
    assert "BWorker" in line.ends and "XWorker" not in line.starts  # type: ignore[attr-defined]


#: a child's `:death` callback reopens the parent and adds a slow job: the parent's
#: `:complete` may fire before that death in Sidekiq, so it does not wait for the job
DEATH_ADDS_TO_PARENT = WORKERS.replace("BWorker", "SlowWorker") + """
class Pipeline
  def self.start
    overall = Sidekiq::Batch.new
    overall.on(:complete, 'Steps#all_done')
    overall.jobs do
      step = Sidekiq::Batch.new
      step.on(:death, 'Steps#step_died')
      step.jobs { AWorker.perform_async }
    end
  end
end

class Steps
  def step_died(status, options)
    Sidekiq::Batch.new(status.parent_bid).jobs { SlowWorker.perform_async }
  end

  def all_done(status, options)
    YWorker.perform_async
  end
end
"""


@pytest.mark.usefixtures("prefect_harness")
def test_a_parents_complete_does_not_wait_for_what_a_childs_death_callback_adds(tmp_path: Path) -> None:
    state, line = _run_death_case(tmp_path, {"AWorker"}, DEATH_ADDS_TO_PARENT)
    assert state == "Failed"
    assert "SlowWorker" in line.ends  # type: ignore[attr-defined]
    assert min(line.starts["YWorker"]) < max(line.ends["SlowWorker"]) - LONG / 2  # type: ignore[attr-defined]
