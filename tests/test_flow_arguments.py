"""A generated flow sends each job exactly the arguments Sidekiq would have: one job per
row of a bulk enqueue, the row's elements as its arguments, whatever `perform` takes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_bridge import FakeBridge

from batch2flow.convert import convert
from batch2flow.rehearse import import_flows
from batch2flow.runtime import OMITTED, bulk_rows, sent_arguments

WORKERS = """
class RestWorker
  include Sidekiq::Job

  def perform(*args); end
end

class OptionalWorker
  include Sidekiq::Job

  def perform(id, mode = 'full'); end
end

class FixedWorker
  include Sidekiq::Job

  def perform(id, mode); end
end

class MixedWorker
  include Sidekiq::Job

  def perform(id, mode = 'full', *rest); end
end
"""

#: every worker enqueued in bulk (both forms) and once directly, with rows of each length
STARTER = WORKERS + """
class Starter
  def self.start
    batch = Sidekiq::Batch.new
    batch.jobs do
      RestWorker.perform_bulk([[], [1], [2, 3]])
      Sidekiq::Client.push_bulk('class' => OptionalWorker, 'args' => [[1], [2, 'quick']])
      FixedWorker.perform_bulk([[1, 'a'], [2, 'b']])
      Sidekiq::Client.push_bulk('class' => MixedWorker, 'args' => [[1], [2, 'quick'], [3, 'quick', 4, 5]])
      OptionalWorker.perform_async(3)
      MixedWorker.perform_async(4, 'slow', 6)
      RestWorker.perform_async
      [7, 8].each { |i| RestWorker.perform_async(i, 'x') }
      [9].each { |i| OptionalWorker.perform_async(i) }
    end
  end
end
"""

EXPECTED = {
    "RestWorker": [[], [1], [2, 3], [], [7, "x"], [8, "x"]],
    "OptionalWorker": [[1], [2, "quick"], [3], [9]],
    "FixedWorker": [[1, "a"], [2, "b"]],
    "MixedWorker": [[1], [2, "quick"], [3, "quick", 4, 5], [4, "slow", 6]],
}


def _sent(bridge: FakeBridge) -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for request in bridge.requests:
        if request.method == "POST":
            body = request.body
            assert isinstance(body, dict)
            found.setdefault(body["class"], []).append(body["args"])
    return found


@pytest.mark.usefixtures("prefect_harness")
def test_bulk_rows_become_each_jobs_arguments_for_any_perform(tmp_path: Path, bridge: FakeBridge) -> None:
    (tmp_path / "app.rb").write_text(STARTER, encoding="utf-8")
    conversion = convert([str(tmp_path)], tasks="translated")
    folder = tmp_path / "flows"
    folder.mkdir()
    [plan] = conversion.plans
    flow = getattr(import_flows(conversion, folder)[plan.workflow], plan.function)
    state = flow(return_state=True)
    assert state.name == "Completed", state.message
    sent = _sent(bridge)
    assert sorted(sent) == sorted(EXPECTED)
    for worker, rows in EXPECTED.items():
        # the bridge gets the jobs in no set order; an omitted optional argument is not sent as nil
        assert sorted(sent[worker], key=repr) == sorted(rows, key=repr), worker


def test_the_flow_submits_each_bulk_row_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "app.rb").write_text(STARTER, encoding="utf-8")
    files = convert([str(tmp_path)], tasks="translated").files
    source = next(text for name, text in files.items() if name.startswith("flows/"))
    assert "rest = b1.add([rest_worker.submit(*row) for row in bulk_rows(rest_items)])" in source
    assert "[optional_worker.submit(*row) for row in bulk_rows(optional_items)]" in source
    # `.map()` over one list per parameter pads a short row with nil and cannot fill `*args`
    assert "columns(" not in source
    assert "rest_worker.map(" not in source
    assert "def optional_worker(id, mode=OMITTED)" in source
    assert "mode=None" not in source


@pytest.mark.parametrize(("given", "sent"), [
    ([1, OMITTED], [1]),
    ([1, OMITTED, OMITTED], [1]),
    ([1, None], [1, None]),
    ([OMITTED], []),
    ([], []),
], ids=["one-omitted", "two-omitted", "nil-is-sent", "only-omitted", "none"])
def test_omitted_arguments_are_not_sent(given: list[object], sent: list[object]) -> None:
    assert sent_arguments(given) == sent


def test_an_omitted_argument_before_a_given_one_is_an_error() -> None:
    with pytest.raises(ValueError, match="omitted before"):
        sent_arguments([OMITTED, 2])


@pytest.mark.parametrize("rows", [[[1], [2, 3], []], ([1],), [(1, 2)]],
                         ids=["lists", "tuple-of-lists", "tuples"])
def test_bulk_rows_take_a_list_of_lists(rows: object) -> None:
    assert bulk_rows(rows) == [list(row) for row in rows]  # type: ignore[attr-defined]


@pytest.mark.parametrize("rows", [[1, 2], [[1], 2], "ab", {"a": [1]}],
                         ids=["flat", "mixed", "string", "hash"])
def test_bulk_rows_refuse_what_sidekiq_refuses(rows: object) -> None:
    # Sidekiq: "Bulk arguments must be an Array of Arrays: [[1], [2]]"
    with pytest.raises(TypeError, match="list of lists"):
        bulk_rows(rows)  # type: ignore[arg-type]


#: the loop variable has the name of the flow's variable for the job that loops
SHADOWING = """
class ListWorker
  include Sidekiq::Job

  def perform
    [1, 2].each { |list| ItemWorker.perform_async(list, 'x') }
  end
end

class ItemWorker
  include Sidekiq::Job

  def perform(*args); end
end

class Starter
  def self.start
    batch = Sidekiq::Batch.new
    batch.jobs { ListWorker.perform_async }
  end
end
"""


def test_a_loop_variable_does_not_hide_the_job_a_submit_waits_for(tmp_path: Path) -> None:
    (tmp_path / "app.rb").write_text(SHADOWING, encoding="utf-8")
    files = convert([str(tmp_path)], tasks="translated").files
    source = next(text for name, text in files.items() if name.startswith("flows/"))
    # `list` is a Python builtin: the job's future is `list_`
    assert "list_ = b1.add(list_worker.submit())" in source
    # inside the comprehension, `list_` would be the item, and the wait would be on 1 and 2
    assert "[item_worker.submit(list_2, 'x', wait_for=[list_]) for list_2 in item_items]" in source
