"""Loops in the translated flows: a batch built once per item is one batch per item, and a
condition written inside a loop (`next if`) is read per item, inside the fan-out.

Each pair: the shape that must be read per item, and the one next to it that must not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from batch2flow.codegen.bound_names import unbound_reads
from batch2flow.convert import convert
from batch2flow.graph import build_graph
from batch2flow.rehearse import run_flows

WORKERS = """
class ImportWorker
  include Sidekiq::Job

  def perform(id); end
end

class ReportWorker
  include Sidekiq::Job

  def perform(id); end
end

class Steps
  # with one batch per item, each status counts that item's single job
  def done(status, options)
    ReportWorker.perform_async(options['id']) if status.total == 1
  end
end
"""

#: one batch per account: each `:complete` waits for, and counts, its own account's job
PER_ITEM = WORKERS + """
class Starter
  def self.start
    [1, 2].each do |id|
      batch = Sidekiq::Batch.new
      batch.on(:complete, 'Steps#done', 'id' => id)
      batch.jobs do
        ImportWorker.perform_async(id)
      end
    end
  end
end
"""

#: one batch around the loop: its status counts both jobs
ONE_BATCH = WORKERS + """
class Starter
  def self.start
    batch = Sidekiq::Batch.new
    batch.on(:complete, 'Steps#done', 'id' => 0)
    batch.jobs do
      [1, 2].each { |id| ImportWorker.perform_async(id) }
    end
  end
end
"""

#: a condition per item, in the loop
NEXT_IF = WORKERS + """
class Starter
  def self.start(limit)
    batch = Sidekiq::Batch.new
    batch.jobs do
      [1, 2, 3].each do |id|
        next if id == 2
        ImportWorker.perform_async(id)
      end
    end
  end
end
"""

#: a condition around the loop, on the starter's parameter
IF_AROUND = WORKERS + """
class Starter
  def self.start(limit)
    batch = Sidekiq::Batch.new
    batch.jobs do
      if limit == 5
        [1, 2, 3].each { |id| ImportWorker.perform_async(id) }
      end
    end
  end
end
"""


def _convert(tmp_path: Path, ruby: str) -> tuple[object, str]:
    (tmp_path / "app.rb").write_text(ruby, encoding="utf-8")
    conversion = convert([str(tmp_path)], tasks="translated")
    [source] = [text for name, text in conversion.files.items() if name.startswith("flows/")]
    assert unbound_reads(source) == []
    return conversion, source


def _starts(tmp_path: Path, conversion: object, parameters: dict[str, object] | None = None) -> list[str]:
    folder = tmp_path / "flows"
    folder.mkdir()
    events: list[dict[str, object]] = []
    report = run_flows(conversion, folder, set(), events.append, 0.005,  # type: ignore[arg-type]
                       {"starter": parameters or {}})
    assert [o.state for o in report.outcomes] == ["Completed"], report.outcomes
    return sorted(str(e["worker"]) for e in events if e["event"] == "start")


def test_the_graph_marks_a_batch_built_per_item(tmp_path: Path) -> None:
    (tmp_path / "app.rb").write_text(PER_ITEM, encoding="utf-8")
    [batch] = build_graph([str(tmp_path)]).workflows[0].batches
    assert batch.loop is not None and batch.loop.items == "[1, 2]" and batch.loop.variables == ("id",)
    (tmp_path / "app.rb").write_text(ONE_BATCH, encoding="utf-8")
    [batch] = build_graph([str(tmp_path)]).workflows[0].batches
    assert batch.loop is None


@pytest.mark.usefixtures("prefect_harness")
def test_a_batch_per_item_is_one_batch_per_item_in_the_flow(tmp_path: Path) -> None:
    conversion, source = _convert(tmp_path, PER_ITEM)
    assert "def each_b1(id) -> None:" in source
    assert "run.each(b1_items, each_b1)" in source
    assert "import_worker.submit(id)" in source  # one job per call, not a fan-out in each call
    # each item's callback sees a status of its own job: both report
    assert _starts(tmp_path, conversion) == ["ImportWorker"] * 2 + ["ReportWorker"] * 2


@pytest.mark.usefixtures("prefect_harness")
def test_a_batch_around_a_loop_stays_one_batch(tmp_path: Path) -> None:
    conversion, source = _convert(tmp_path, ONE_BATCH)
    assert "run.each(" not in source
    # its one status counts both jobs: the callback enqueues nothing
    assert _starts(tmp_path, conversion) == ["ImportWorker"] * 2


@pytest.mark.usefixtures("prefect_harness")
def test_next_if_filters_the_items_inside_the_fan_out(tmp_path: Path) -> None:
    conversion, source = _convert(tmp_path, NEXT_IF)
    assert "for id in import__items if (not (id == 2))]" in source
    assert "def condition_" not in source  # read per item, never a stub around the fan-out
    assert _starts(tmp_path, conversion) == ["ImportWorker"] * 2


@pytest.mark.usefixtures("prefect_harness")
def test_a_condition_around_the_loop_guards_the_whole_fan_out(tmp_path: Path) -> None:
    conversion, source = _convert(tmp_path, IF_AROUND)
    assert "    if (limit == 5):" in source
    assert " if (limit == 5)]" not in source
    assert _starts(tmp_path, conversion, {"limit": 5}) == ["ImportWorker"] * 3


#: the loop that builds a batch per item sits under a condition no flow can translate
UNDER_A_STUB = WORKERS + """
class Starter
  def self.start
    if Feature.on?(:imports)
      [1, 2].each do |id|
        batch = Sidekiq::Batch.new
        batch.jobs { ImportWorker.perform_async(id) }
      end
    end
  end
end
"""


def test_a_per_item_loop_under_an_untranslated_condition_is_guarded_by_its_stub(tmp_path: Path) -> None:
    _, source = _convert(tmp_path, UNDER_A_STUB)
    guard = source.index("    if condition_b1():  # Feature.on?(:imports)")
    assert guard < source.index("def each_b1(id) -> None:") < source.index("run.each(b1_items, each_b1)")
    assert "ruby_condition('Feature.on?(:imports)', 'app.rb:" in source


#: the index of `each_with_index` is the block's second parameter, filtered per item too
WITH_INDEX = WORKERS + """
class Starter
  def self.start
    batch = Sidekiq::Batch.new
    batch.jobs do
      %w[a b c].each_with_index { |name, i| next unless i > 0; ReportWorker.perform_async(i) }
    end
  end
end
"""


@pytest.mark.usefixtures("prefect_harness")
def test_each_with_index_reads_the_index_per_item(tmp_path: Path) -> None:
    conversion, source = _convert(tmp_path, WITH_INDEX)
    assert "[i for i, name in enumerate(report_items) if (i > 0)]" in source
    assert "ruby_value(" not in source and "def condition_" not in source
    assert _starts(tmp_path, conversion) == ["ReportWorker"] * 2
