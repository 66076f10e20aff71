"""What real apps write that is no mistake gets no diagnostic, next to the mistake that
does (must/must-not pairs)."""

from __future__ import annotations

from conftest import only_workflow
from ruby_snippets import workers

FLOW = """class Flow
  def self.start
    b = Sidekiq::Batch.new
    b.on(:success, 'Done#call')
    b.jobs { A.perform_async }
  end
end
"""


def codes(graph) -> list[tuple[str, int]]:
    return sorted((d.code, d.line) for d in graph.diagnostics if not d.code.startswith("B2F3"))


def test_a_block_parameter_named_batch_is_no_sidekiq_batch(ruby_tree) -> None:
    """In code that runs in no batch (the starter), `batch` and `bid` named by a block
    are the block's records and ids, not Sidekiq's helpers."""
    starter = FLOW.replace("    b = Sidekiq::Batch.new\n", """    Record.find_in_batches do |batch|
      batch.each { |record| record.touch }
    end
    Report.batches.each do |name, bid|
      puts bid
    end
    b = Sidekiq::Batch.new
""")
    graph = ruby_tree({"app/workers.rb": workers("A"), "app/flow.rb": starter,
                       "app/done.rb": "class Done\n  def call(status, options); end\nend\n"})
    assert codes(graph) == []


def test_batch_in_a_job_outside_any_batch_is_still_reported(ruby_tree) -> None:
    graph = ruby_tree({"app/workers.rb": workers("B") + """
class A
  include Sidekiq::Job
  def perform
    batch.jobs { B.perform_async }
  end
end
class Kick
  def self.start
    A.perform_async
  end
end
""", "app/flow.rb": FLOW.replace("b.jobs { A.perform_async }", "b.jobs { B.perform_async }"),
        "app/done.rb": "class Done\n  def call(status, options)\n    A.perform_async\n  end\nend\n"})
    assert ("B2F105", 9) in codes(graph)  # `batch.jobs` in A#perform


PARENT_GUARD = """class Done
  def call(status, options)
    if status.parent_bid
      Sidekiq::Batch.new(status.parent_bid).jobs { B.perform_async }
    end
    Sidekiq::Batch.new(status.parent_bid).jobs { B.perform_async } if status.parent_bid.present?
  end
end
"""


def test_a_reopen_guarded_by_the_parent_bid_is_no_reopen_of_nothing(ruby_tree) -> None:
    """The batch has no parent: the guarded branch never runs, so no B2F107 and no job B."""
    graph = ruby_tree({"app/flow.rb": FLOW, "app/done.rb": PARENT_GUARD, "app/workers.rb": workers("A", "B")})
    assert codes(graph) == []
    assert [job.worker for job in only_workflow(graph).jobs] == ["A"]


def test_an_unguarded_reopen_of_a_missing_parent_is_reported(ruby_tree) -> None:
    unguarded = PARENT_GUARD.replace("    if status.parent_bid\n", "    begin\n")
    graph = ruby_tree({"app/flow.rb": FLOW, "app/done.rb": unguarded, "app/workers.rb": workers("A", "B")})
    assert ("B2F107", 4) in codes(graph)


def test_a_guarded_reopen_of_a_real_parent_still_adds_to_it(ruby_tree) -> None:
    nested = FLOW.replace("b.jobs { A.perform_async }", "b.jobs do\n      c = Sidekiq::Batch.new\n"
                          "      c.on(:success, 'Done#call')\n      c.jobs { A.perform_async }\n    end")
    nested = nested.replace("    b.on(:success, 'Done#call')\n", "")
    graph = ruby_tree({"app/flow.rb": nested, "app/done.rb": PARENT_GUARD,
                       "app/workers.rb": workers("A", "B")})
    assert codes(graph) == []
    workflow = only_workflow(graph)
    outer = workflow.batches[0].id
    added = [(job.worker, job.batch) for job in workflow.jobs if job.worker == "B"]
    assert added == [("B", outer), ("B", outer)]
