"""`batch.on(event, target, options)`: events, targets and options."""

from __future__ import annotations

import pytest
from conftest import analysis_diagnostics, only_workflow
from reachability import is_after, reachable_from
from ruby_snippets import starter

CALLBACK_CLASSES = """
class Done
  def on_success(status, options)
    B.perform_async
  end

  def on_complete(status, options)
    B.perform_async
  end

  def on_death(status, options)
    B.perform_async
  end

  def finished(status, options)
    B.perform_async
  end
end

module Reports
  class Notify
    def on_success(status, options)
      B.perform_async
    end
  end
end
"""

TARGETS = {
    "class": ("Done", "Done#on_success"),
    "nested_class": ("Reports::Notify", "Reports::Notify#on_success"),
    "top_anchored": ("::Reports::Notify", "Reports::Notify#on_success"),
    "string_method": ("'Done#finished'", "Done#finished"),
    "double_quoted": ('"Reports::Notify#on_success"', "Reports::Notify#on_success"),
    "class_as_string": ("'Done'", "Done#on_success"),
}


@pytest.mark.parametrize(("target", "label"), TARGETS.values(), ids=TARGETS.keys())
def test_callback_targets_fixes(ruby_tree, target, label):
    body = f"b = Sidekiq::Batch.new\nb.on(:success, {target})\nb.jobs {{ A.perform_async }}"
    workflow = only_workflow(ruby_tree(starter(body, CALLBACK_CLASSES)))
    assert [c.target for c in workflow.callbacks] == [label]
    assert workflow.callbacks[0].method_span is not None
    assert is_after(workflow, "A", "B")


def test_self_class_target(ruby_tree):
    files = starter("", CALLBACK_CLASSES)
    files["app/services/flow.rb"] = """
class Flow
  def call
    b = Sidekiq::Batch.new
    b.on(:complete, self.class, 'id' => 1)
    b.jobs { A.perform_async }
  end

  def on_complete(status, options)
    B.perform_async
  end
end
"""
    workflow = only_workflow(ruby_tree(files))
    assert [c.target for c in workflow.callbacks] == ["Flow#on_complete"]
    assert is_after(workflow, "A", "B")


@pytest.mark.parametrize("event", ["success", "complete", "death"])
def test_events_fixes(ruby_tree, event):
    for written in (f":{event}", f"'{event}'"):
        body = f"b = Sidekiq::Batch.new\nb.on({written}, Done)\nb.jobs {{ A.perform_async }}"
        workflow = only_workflow(ruby_tree(starter(body, CALLBACK_CLASSES)))
        assert [(c.event, c.target) for c in workflow.callbacks] == [(event, f"Done#on_{event}")]
        assert {e.on for e in workflow.edges} == {event}


def test_unknown_event_noop(ruby_tree):
    body = "b = Sidekiq::Batch.new\nb.on(:sucess, Done)\nb.jobs { A.perform_async }"
    graph = ruby_tree(starter(body, CALLBACK_CLASSES))
    assert only_workflow(graph).callbacks == ()
    [problem] = graph.diagnostics
    assert (problem.code, problem.severity.value, problem.line, problem.col) == (
        "B2F101", "error", 4, 10)
    assert problem.message == "unknown batch event :sucess (did you mean :success?)"


OPTIONS = {
    "string_keys": ("'id' => 5, 'kind' => \"x\"", "'id' => 5, 'kind' => \"x\""),
    "symbol_keys": ("id: 5", "id: 5"),
    "braced_hash": ("{ 'id' => 5 }", "{ 'id' => 5 }"),
    "scalar": ("42", "42"),
    "none": ("", None),
}


@pytest.mark.parametrize(("written", "kept"), OPTIONS.values(), ids=OPTIONS.keys())
def test_callback_options(ruby_tree, written, kept):
    args = f", {written}" if written else ""
    body = f"b = Sidekiq::Batch.new\nb.on(:success, Done{args})\nb.jobs {{ A.perform_async }}"
    workflow = only_workflow(ruby_tree(starter(body, CALLBACK_CLASSES)))
    assert workflow.callbacks[0].options == kept


BID_IN_OPTIONS = """
overall = Sidekiq::Batch.new
overall.on(:success, 'Later#overall_done')
overall.jobs do
  step = Sidekiq::Batch.new
  step.on(:success, 'Later#step_done', {written})
  step.jobs {{ A.perform_async }}
end
"""
REOPEN_FROM_OPTIONS = """
class Later
  def step_done(status, options)
    Sidekiq::Batch.new(options[{read}]).jobs {{ B.perform_async }}
  end

  def overall_done(status, options)
    C.perform_async
  end
end
"""
#: however the option was written, Sidekiq stores it as JSON: only the string key finds it
WRITTEN_KEYS = {"string_key": "'overall' => overall.bid", "symbol_key": "overall: overall.bid"}


@pytest.mark.parametrize("written", WRITTEN_KEYS.values(), ids=WRITTEN_KEYS.keys())
def test_options_string_key_reopens_the_batch_fixes(ruby_tree, written):
    callbacks = REOPEN_FROM_OPTIONS.format(read="'overall'")
    graph = ruby_tree(starter(BID_IN_OPTIONS.format(written=written), callbacks))
    workflow = only_workflow(graph)
    assert is_after(workflow, "A", "B") and is_after(workflow, "B", "C")
    assert len(workflow.batches) == 2
    assert analysis_diagnostics(graph) == ()


@pytest.mark.parametrize("read", [":overall", ":'overall'", ':"overall"'],
                         ids=["simple_symbol", "quoted_symbol", "double_quoted_symbol"])
def test_options_symbol_key_is_nil_noop(ruby_tree, read):
    """`options[:overall]` is nil in a callback, so `Batch.new(nil)` makes a new batch:
    B is not added to the overall batch, and the overall callback does not wait for it."""
    callbacks = REOPEN_FROM_OPTIONS.format(read=read)
    graph = ruby_tree(starter(BID_IN_OPTIONS.format(written="'overall' => overall.bid"), callbacks))
    workflow = only_workflow(graph)
    assert is_after(workflow, "A", "B")
    assert not is_after(workflow, "B", "C")
    new_batch = workflow.batches[-1]
    assert len(workflow.batches) == 3 and new_batch.parent is None
    assert [j.batch for j in workflow.jobs if j.worker == "B"] == [new_batch.id]
    [problem] = analysis_diagnostics(graph)
    assert (problem.code, problem.file, problem.line) == ("B2F107", "app/callbacks.rb", 4)
    if read == ":overall":  # lint says why, and fixes it
        assert ("B2F314", 4) in {(d.code, d.line) for d in graph.diagnostics}
    assert problem.message == (
        f"`options[{read}]` is nil here (callback options come back from JSON with string keys), "
        "so this creates a new batch instead of reopening one")


def test_missing_callback_target_warns(ruby_tree):
    body = "b = Sidekiq::Batch.new\nb.on(:success, 'Nope#done')\nb.jobs { A.perform_async }"
    graph = ruby_tree(starter(body, CALLBACK_CLASSES))
    assert [(d.code, d.line) for d in graph.diagnostics] == [("B2F102", 4)]
    assert "class not found" in graph.diagnostics[0].message
    assert only_workflow(graph).callbacks[0].method_span is None


def test_death_callback_does_not_wait_for_child_callbacks(ruby_tree):
    body = """
b = Sidekiq::Batch.new
b.on(:death, Done)
b.jobs do
  child = Sidekiq::Batch.new
  child.on(:success, 'Done#finished')
  child.jobs { A.perform_async }
end
"""
    workflow = only_workflow(ruby_tree(starter(body, CALLBACK_CLASSES)))
    death, child_done = workflow.callbacks
    edges = {(e.source, e.target, e.on) for e in workflow.edges}
    assert ("j1", death.id, "death") in edges
    assert (child_done.id, death.id) not in {(s, t) for s, t, _ in edges}


@pytest.mark.parametrize("reopened", ["status.parent_bid", "status.bid"])
def test_what_a_death_callback_adds_to_a_batch_it_fired_for_is_not_waited_for(ruby_tree, reopened):
    # the death comes once retries are exhausted: the batches' `:complete` may have run
    body = """
b = Sidekiq::Batch.new
b.on(:complete, Done)
b.jobs do
  child = Sidekiq::Batch.new
  child.on(:death, 'Steps#died')
  child.on(:complete, 'Done#finished')
  child.jobs { A.perform_async }
end
"""
    steps = f"""
class Steps
  def died(status, options)
    Sidekiq::Batch.new({reopened}).jobs {{ C.perform_async }}
  end
end
"""
    workflow = only_workflow(ruby_tree(starter(body, CALLBACK_CLASSES + steps)))
    job = {j.worker: j for j in workflow.jobs}
    died = next(cb for cb in workflow.callbacks if cb.event == "death")
    assert job["C"].id in reachable_from(workflow, died.id)
    for callback in workflow.callbacks:
        if callback.event == "complete":
            assert callback.id not in reachable_from(workflow, job["C"].id), callback.target
            assert callback.id in reachable_from(workflow, job["A"].id), callback.target


def test_every_job_keeps_its_own_edge_into_a_death_callback(ruby_tree):
    # A runs before C (C is enqueued on the child's success), and both can trigger the
    # death callback; reducing A's death edge away through C would say the death callback
    # needs C to die, when A dying is enough.
    body = """
b = Sidekiq::Batch.new
b.on(:death, Done)
b.jobs do
  child = Sidekiq::Batch.new
  child.on(:success, 'Steps#next')
  child.jobs { A.perform_async }
end
"""
    steps = """
class Steps
  def next(status, options)
    Sidekiq::Batch.new(status.parent_bid).jobs { C.perform_async }
  end
end
"""
    workflow = only_workflow(ruby_tree(starter(body, CALLBACK_CLASSES + steps)))
    death = next(cb for cb in workflow.callbacks if cb.event == "death")
    by_worker = {job.worker: job.id for job in workflow.jobs}
    into_death = {e.source for e in workflow.edges if e.target == death.id}
    assert into_death == {by_worker["A"], by_worker["C"]}
    assert is_after(workflow, "A", "C")


BILLING_FLOW = """
module Billing
  class Flow
    def call
      b = Sidekiq::Batch.new
      b.on(:success, {target})
      b.jobs {{ A.perform_async }}
    end
  end
end
"""
BILLING_CALLBACK = """
module Billing
  class Callback
    def done(status, options)
      B.perform_async
    end

    def on_success(status, options)
      B.perform_async
    end
  end
end
"""
TOP_LEVEL_CALLBACK = """
class Callback
  def done(status, options)
    C.perform_async
  end
end
"""


def billing_tree(target: str, *callbacks: str) -> dict[str, str]:
    files = starter("")
    files["app/services/flow.rb"] = BILLING_FLOW.format(target=target)
    for number, source in enumerate(callbacks):
        files[f"app/callbacks/callback_{number}.rb"] = source
    return files


#: constants are looked up lexically, as Ruby does; strings from the top level, as Sidekiq does
NAMESPACED_TARGETS = {
    "constant_inside_the_module": ("Callback", (BILLING_CALLBACK,), "Billing::Callback#on_success", "B"),
    "qualified_string": ("'Billing::Callback#done'", (BILLING_CALLBACK,), "Billing::Callback#done", "B"),
    "string_finds_the_top_level_class": (
        "'Callback#done'", (BILLING_CALLBACK, TOP_LEVEL_CALLBACK), "Callback#done", "C"),
}


@pytest.mark.parametrize(("target", "callbacks", "label", "enqueued"), NAMESPACED_TARGETS.values(),
                         ids=NAMESPACED_TARGETS.keys())
def test_string_targets_resolve_from_the_top_level_fixes(ruby_tree, target, callbacks, label, enqueued):
    graph = ruby_tree(billing_tree(target, *callbacks))
    workflow = only_workflow(graph)
    assert [c.target for c in workflow.callbacks] == [label]
    assert workflow.callbacks[0].method_span is not None
    assert is_after(workflow, "A", enqueued)
    assert graph.diagnostics == ()


def test_string_target_inside_a_module_is_not_found_noop(ruby_tree):
    """Sidekiq constantizes 'Callback#done' from the top level: NameError, where only
    Billing::Callback exists. The callback's work is not in the workflow."""
    graph = ruby_tree(billing_tree("'Callback#done'", BILLING_CALLBACK))
    workflow = only_workflow(graph)
    assert [(c.target, c.method_span) for c in workflow.callbacks] == [("Callback#done", None)]
    assert [j.worker for j in workflow.jobs] == ["A"]
    [problem] = graph.diagnostics
    assert (problem.code, problem.file, problem.line) == ("B2F102", "app/services/flow.rb", 6)
    assert problem.message == (
        "callback target 'Callback#done': class not found from the top level, where Sidekiq "
        "looks a string target up (Sidekiq raises NameError when the callback runs); "
        "did you mean 'Billing::Callback#done' (app/callbacks/callback_0.rb:4)?")


def test_misspelt_callback_method_names_the_close_match(ruby_tree):
    graph = ruby_tree(billing_tree("'Billing::Callback#dnoe'", BILLING_CALLBACK))
    [problem] = graph.diagnostics
    assert problem.message == ("callback target 'Billing::Callback#dnoe': method not found in the "
                               "scanned files; did you mean 'Billing::Callback#done' "
                               "(app/callbacks/callback_0.rb:4)?")
