"""Which methods begin a workflow: a helper that builds the batch for its caller is never
one; its callers are, and what their blocks enqueue is the helper's batch's."""

from __future__ import annotations

import pytest
from conftest import only_workflow
from ruby_snippets import workers

HELPERS = {
    "block": """module Batching
  def self.with_batch(description, &block)
    batch = Sidekiq::Batch.new
    batch.description = description
    batch.on(:success, 'Done#call')
    batch.jobs(&block)
  end
end""",
    "yield": """module Batching
  def self.with_batch(description)
    batch = Sidekiq::Batch.new
    batch.on(:success, 'Done#call')
    batch.jobs do
      yield
    end
  end
end""",
    "anonymous block": """module Batching
  def self.with_batch(description, &)
    inner(&)
  end

  def self.inner(&block)
    batch = Sidekiq::Batch.new
    batch.on(:success, 'Done#call')
    batch.jobs(&block)
  end
end""",
    "block.call": """module Batching
  module_function

  def with_batch(description, &block)
    batch = Sidekiq::Batch.new
    batch.on(:success, 'Done#call')
    batch.jobs { block.call }
  end
end""",
}
DONE = "class Done\n  def call(status, options)\n    B.perform_async\n  end\nend\n"
CALLER = """class Flow
  def self.start(ids)
    Batching.with_batch('x') do
      ids.each { |id| A.perform_async(id) }
    end
  end
end"""


@pytest.mark.parametrize("helper", list(HELPERS.values()), ids=list(HELPERS))
def test_the_caller_of_a_block_helper_begins_the_workflow(ruby_tree, helper: str) -> None:
    graph = ruby_tree({"lib/batching.rb": helper, "app/flow.rb": CALLER, "app/done.rb": DONE,
                       "app/workers.rb": workers("A", "B")})
    workflow = only_workflow(graph)
    assert workflow.starter == "Flow.start" and workflow.params == ("ids",)
    (job_a,) = [job for job in workflow.jobs if job.worker == "A"]
    # the block's job is in the helper's batch, and its :success callback waits for it
    assert job_a.batch == workflow.batches[0].id and job_a.fan_out
    assert job_a.span.file == "app/flow.rb"
    assert {(e.source, e.on) for e in workflow.edges} >= {(job_a.id, "success")}


def test_a_helper_that_returns_the_batch_leaves_the_filling_to_its_caller(ruby_tree) -> None:
    graph = ruby_tree({
        "lib/batching.rb": """class Batching
  def self.build_batch(queue)
    batch = Sidekiq::Batch.new
    batch.callback_queue = queue
    batch.on(:complete, 'Done#call')
    batch
  end
end""",
        "app/flow.rb": "class Flow\n  def self.start\n    b = Batching.build_batch('q')\n"
                       "    b.jobs do\n      A.perform_async\n    end\n  end\nend\n",
        "app/done.rb": DONE, "app/workers.rb": workers("A", "B")})
    workflow = only_workflow(graph)
    assert workflow.starter == "Flow.start"
    assert {job.worker for job in workflow.jobs} == {"A", "B"}
    (job_a,) = [job for job in workflow.jobs if job.worker == "A"]
    assert job_a.batch == workflow.batches[0].id


def test_a_helper_nothing_calls_stays_a_workflow(ruby_tree) -> None:
    """Nothing is dropped: with no caller in the tree, the helper is where the batch begins."""
    graph = ruby_tree({"lib/batching.rb": HELPERS["block"], "app/done.rb": DONE,
                       "app/workers.rb": workers("A", "B")})
    assert only_workflow(graph).starter == "Batching.with_batch"


def test_a_method_that_builds_its_whole_batch_stays_the_starter_when_called(ruby_tree) -> None:
    """`Report.start` builds and fills its batch: the controller that calls it is no entry
    of another workflow, and the workflow keeps its callable starter."""
    graph = ruby_tree({
        "app/report.rb": "class Report\n  def self.start(id)\n    b = Sidekiq::Batch.new\n"
                         "    b.jobs { A.perform_async(id) }\n  end\nend\n",
        "app/reports_controller.rb": "class ReportsController\n  def create\n"
                                     "    Report.start(params[:id])\n  end\nend\n",
        "app/workers.rb": workers("A")})
    assert only_workflow(graph).starter == "Report.start"


def test_yield_hands_its_arguments_to_the_block(ruby_tree) -> None:
    graph = ruby_tree({
        "lib/batching.rb": """class Batching
  def self.each_in_batch(items)
    batch = Sidekiq::Batch.new
    batch.jobs do
      items.each { |item| yield item }
    end
  end
end""",
        "app/flow.rb": "class Flow\n  def self.start(ids)\n"
                       "    Batching.each_in_batch(ids) { |id| A.perform_async(id) }\n  end\nend\n",
        "app/workers.rb": workers("A")})
    workflow = only_workflow(graph)
    assert workflow.starter == "Flow.start"
    (job,) = workflow.jobs
    assert job.fan_out and job.batch == workflow.batches[0].id


def test_a_block_taken_for_something_else_makes_no_helper(ruby_tree) -> None:
    """`fetch(account, &on_status)` builds and fills its own batch; the block reports a
    status. The controller that calls it is no workflow of its own."""
    graph = ruby_tree({
        "app/fetcher.rb": """class Fetcher
  def self.fetch(account, &on_status)
    batch = Sidekiq::Batch.new
    batch.jobs { A.perform_async(account) }
    report(:started, &on_status)
  end

  def self.report(state)
    yield state
  end
end""",
        "app/keys_controller.rb": "class KeysController\n  def sync\n"
                                  "    Fetcher.fetch(1) { |state| puts state }\n  end\nend\n",
        "app/workers.rb": workers("A")})
    assert only_workflow(graph).starter == "Fetcher.fetch"


STEP_CHAIN = {
    "app/flow.rb": """class Flow
  def self.start
    b = Sidekiq::Batch.new
    b.on(:success, 'Flow#step1_done')
    b.jobs { A.perform_async }
  end

  def self.step2
    b = Sidekiq::Batch.new
    b.jobs { B.perform_async }
  end

  def step1_done(status, options)
    go_on
  end

  private

  def go_on
    self.class.step2
  end
end""",
    "app/workers.rb": workers("A", "B"),
}


def test_a_step_only_a_workflow_starts_is_no_entry_point(ruby_tree) -> None:
    graph = ruby_tree(STEP_CHAIN)
    assert {wf.starter: wf.entry_point for wf in graph.workflows} == {"Flow.start": True, "Flow.step2": False}


def test_a_step_something_else_starts_too_is_an_entry_point(ruby_tree) -> None:
    files = {**STEP_CHAIN, "app/steps_controller.rb": "class StepsController\n  def create\n"
                                                        "    Flow.step2\n  end\nend\n"}
    graph = ruby_tree(files)
    assert {wf.starter: wf.entry_point for wf in graph.workflows} == {"Flow.start": True, "Flow.step2": True}


def test_a_worker_a_workflow_enqueues_stays_an_entry_point(ruby_tree) -> None:
    """A worker may be enqueued from anywhere, or scheduled: its workflow keeps its own
    deployment even when a workflow starts it."""
    flow = STEP_CHAIN["app/flow.rb"].replace("self.class.step2", "C.perform_async")
    files = {**STEP_CHAIN, "app/flow.rb": flow,
             "app/c.rb": "class C\n  include Sidekiq::Job\n  def perform\n    b = Sidekiq::Batch.new\n"
                         "    b.jobs { B.perform_async }\n  end\nend\n"}
    graph = ruby_tree(files)
    entry = {wf.starter: wf.entry_point for wf in graph.workflows}
    starts = {s.workflow for wf in graph.workflows if wf.starter == "Flow.start" for s in wf.starts}
    assert entry["C#perform"] and starts == {"c"}


def test_a_batch_built_in_initialize_begins_at_the_method_that_uses_it(ruby_tree) -> None:
    """`ImportService.new(shop).call`: the constructor builds `@batch`, `call` fills it
    (and a private method it calls reads it too). The workflow begins at `call`, after
    `initialize`; the object needs an argument, so the app starts its flow (B2F209)."""
    graph = ruby_tree({
        "app/import_service.rb": """class ImportService
  def initialize(shop)
    @shop = shop
    @batch = Sidekiq::Batch.new
  end

  def call
    @batch.jobs { A.perform_async(@shop) }
    register_callback
  end

  private

  def register_callback
    @batch.on(:success, 'Done#call')
  end
end""",
        "app/done.rb": "class Done\n  def call(status, options)\n    B.perform_async\n  end\nend\n",
        "app/workers.rb": workers("A", "B")})
    workflow = only_workflow(graph)
    assert (workflow.starter, workflow.constructor_args) == ("ImportService#call", True)
    assert sorted(job.worker for job in workflow.jobs) == ["A", "B"]
    assert workflow.entry.line == 4
