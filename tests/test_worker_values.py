"""Worker classes as values: held in literal lists and hashes, handed to helpers, and
methods reached through `self.class` and `send(:literal)`."""

from __future__ import annotations

import pytest
from conftest import only_workflow
from ruby_snippets import starter


@pytest.mark.parametrize("loop", [
    "[A, B].each { |w| w.perform_async(1) }",
    "[A, B].freeze.each { |w| w.perform_async(1) }",
    "{ first: A, second: B }.each_value { |w| w.perform_async(1) }",
    "{ first: A, second: B }.each { |name, w| w.perform_async(1) }",
    "LIST.each { |w| w.perform_async(1) }",
])
def test_a_literal_list_of_classes_enqueues_each_class(ruby_tree, loop: str) -> None:
    files = starter(f"b = Sidekiq::Batch.new\nb.jobs do\n  {loop}\nend")
    files["app/services/flow.rb"] = files["app/services/flow.rb"].replace(
        "class Flow\n", "class Flow\n  LIST = [A, B].freeze\n")
    workflow = only_workflow(ruby_tree(files))
    assert sorted((job.worker, job.fan_out, job.placeholder) for job in workflow.jobs) == [
        ("A", False, False), ("B", False, False)]
    assert not ruby_tree(files).diagnostics


def test_a_list_known_only_at_run_time_stays_a_placeholder(ruby_tree) -> None:
    files = starter("b = Sidekiq::Batch.new\nb.jobs do\n  workers.each { |w| w.perform_async(1) }\nend")
    graph = ruby_tree(files)
    (job,) = only_workflow(graph).jobs
    assert job.placeholder and job.fan_out
    assert [d.code for d in graph.diagnostics] == ["B2F103"]


def test_a_class_in_a_variable_calls_its_class_method(ruby_tree) -> None:
    files = starter("b = Sidekiq::Batch.new\nb.on(:success, 'Flow#done')\nb.jobs { A.perform_async }",
                    callbacks="class Flow\n  def done(status, options)\n    self.class.next_step\n"
                              "    klass = Other\n    klass.go\n    send(:finish)\n    send(name_of_it)\n"
                              "  end\n\n  def finish\n    D.perform_async\n  end\nend\n"
                              "class Other\n  def self.go\n    C.perform_async\n  end\nend\n")
    files["app/services/flow.rb"] = files["app/services/flow.rb"].replace(
        "  def call\n", "  def self.next_step\n    B.perform_async\n  end\n\n  def call\n")
    workflow = only_workflow(ruby_tree(files))
    # self.class.next_step, Other.go through `klass`, and send(:finish) are followed;
    # send with a name known only at run time is not
    assert sorted(job.worker for job in workflow.jobs) == ["A", "B", "C", "D"]
