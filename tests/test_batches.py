"""Batch objects: how they are held, created, reopened and nested."""

from __future__ import annotations

import pytest
from conftest import analysis_diagnostics, only_workflow
from reachability import are_independent, is_after
from ruby_snippets import starter

HOLDERS = {
    "local": "b = Sidekiq::Batch.new\nb.jobs do\n  A.perform_async\nend",
    "ivar": "@batch = Sidekiq::Batch.new\n@batch.jobs { A.perform_async }",
    "attribute": "self.batch = Sidekiq::Batch.new\nself.batch.jobs { A.perform_async }",
    "chained": "Sidekiq::Batch.new.jobs do\n  A.perform_async\nend",
    "top_anchored": "b = ::Sidekiq::Batch.new\nb.jobs { A.perform_async }",
}


@pytest.mark.parametrize("body", HOLDERS.values(), ids=HOLDERS.keys())
def test_batch_holders_fixes(ruby_tree, body):
    workflow = only_workflow(ruby_tree(starter(body)))
    assert [job.worker for job in workflow.jobs] == ["A"]
    assert workflow.jobs[0].batch == workflow.batches[0].id
    assert workflow.entry.file == "app/services/flow.rb"
    assert workflow.entry.line == 3


NOT_BATCHES = {
    "other_batch_class": "b = Importer::Batch.new\nb.jobs { A.perform_async }",
    "plain_enqueue": "A.perform_async",
}


@pytest.mark.parametrize("body", NOT_BATCHES.values(), ids=NOT_BATCHES.keys())
def test_batch_holders_noop(ruby_tree, body):
    assert ruby_tree(starter(body)).workflows == ()


STEP_CALLBACK = """
class Steps
  def step_done(status, options)
    overall = Sidekiq::Batch.new(status.parent_bid)
    overall.jobs do
      step2 = Sidekiq::Batch.new
      step2.jobs { B.perform_async }
    end
  end
end
"""
STEP_BODY = """
overall = Sidekiq::Batch.new
overall.on(:success, 'Steps#finished')
overall.jobs do
  step1 = Sidekiq::Batch.new
  step1.on(:success, 'Steps#step_done')
  step1.jobs { A.perform_async }
end
"""
FINISHED = "  def finished(status, options)\n    C.perform_async\n  end\n"


def test_reopened_parent_fixes(ruby_tree):
    callbacks = STEP_CALLBACK.replace("class Steps\n", "class Steps\n" + FINISHED)
    workflow = only_workflow(ruby_tree(starter(STEP_BODY, callbacks)))
    assert is_after(workflow, "A", "B")
    # step2 was added to the overall batch, so its success waits for B
    assert is_after(workflow, "B", "C")
    assert len(workflow.batches) == 3
    assert workflow.batches[2].parent == workflow.batches[0].id


def test_reopened_parent_noop(ruby_tree):
    """A callback that makes a fresh batch instead of reopening does not hold up the parent."""
    callbacks = STEP_CALLBACK.replace("Sidekiq::Batch.new(status.parent_bid)", "Sidekiq::Batch.new")
    callbacks = callbacks.replace("class Steps\n", "class Steps\n" + FINISHED)
    workflow = only_workflow(ruby_tree(starter(STEP_BODY, callbacks)))
    assert is_after(workflow, "A", "B")
    assert not is_after(workflow, "B", "C")


def test_reopen_by_stored_bid_fixes(ruby_tree):
    body = """
b = Sidekiq::Batch.new
@bid = b.bid
b.on(:complete, 'Steps#done')
b.jobs { A.perform_async }
again = Sidekiq::Batch.new(@bid)
again.jobs { B.perform_async }
"""
    callbacks = "class Steps\n  def done(status, options)\n    C.perform_async\n  end\nend\n"
    workflow = only_workflow(ruby_tree(starter(body, callbacks)))
    assert len(workflow.batches) == 1
    assert is_after(workflow, "B", "C") and is_after(workflow, "A", "C")


def test_reopen_unknown_bid_warns(ruby_tree):
    body = "b = Sidekiq::Batch.new(Import.last.bid)\nb.jobs { A.perform_async }"
    graph = ruby_tree(starter("x = Sidekiq::Batch.new\nx.jobs { C.perform_async }\n" + body))
    assert [d.code for d in analysis_diagnostics(graph)] == ["B2F107"]


def test_parent_bid_of_a_root_batch_warns(ruby_tree):
    callbacks = STEP_CALLBACK.replace("class Steps\n", "class Steps\n" + FINISHED)
    body = "b = Sidekiq::Batch.new\nb.on(:success, 'Steps#step_done')\nb.jobs { A.perform_async }"
    graph = ruby_tree(starter(body, callbacks))
    assert [(d.code, d.line) for d in analysis_diagnostics(graph)] == [("B2F107", 7)]
    assert "nil" in graph.diagnostics[0].message


CHILDREN = """
parent = Sidekiq::Batch.new
parent.on(:success, 'Steps#parent_done')
parent.jobs do
  A.perform_async
  child = Sidekiq::Batch.new
  child.on(:success, 'Steps#child_done')
  child.jobs do
    B.perform_async
  end
end
"""
CHILD_CALLBACKS = """
class Steps
  def parent_done(status, options)
    C.perform_async
  end

  def child_done(status, options)
    D.perform_async
  end
end
"""


def test_child_batches_fixes(ruby_tree):
    workflow = only_workflow(ruby_tree(starter(CHILDREN, CHILD_CALLBACKS)))
    child = workflow.batches[1]
    assert child.parent == workflow.batches[0].id
    assert is_after(workflow, "B", "C")  # the parent waits for the child's jobs
    assert is_after(workflow, "B", "D")
    # D was enqueued by the child's callback outside every batch: the parent does not wait
    assert are_independent(workflow, "D", "C")
    assert are_independent(workflow, "A", "B")
    edges = {(e.source, e.target) for e in workflow.edges}
    child_cb, parent_cb = workflow.callbacks[1].id, workflow.callbacks[0].id
    assert (child_cb, parent_cb) in edges  # ... but it waits for the child's callback


def test_child_batches_noop(ruby_tree):
    """Created after the jobs block, the second batch is a sibling root, not a child."""
    body = CHILDREN.replace("  child = Sidekiq::Batch.new\n", "").replace(
        "  child.on(:success, 'Steps#child_done')\n  child.jobs do\n    B.perform_async\n  end\n", ""
    ) + "child = Sidekiq::Batch.new\nchild.on(:success, 'Steps#child_done')\nchild.jobs { B.perform_async }\n"
    workflow = only_workflow(ruby_tree(starter(body, CHILD_CALLBACKS)))
    assert workflow.batches[1].parent is None
    assert not is_after(workflow, "B", "C")


def test_description_and_callback_queue(ruby_tree):
    body = """
b = Sidekiq::Batch.new
b.description = "Nightly import"
b.callback_queue = :critical
b.jobs { A.perform_async }
"""
    batch = only_workflow(ruby_tree(starter(body))).batches[0]
    assert (batch.description, batch.callback_queue) == ("Nightly import", "critical")
