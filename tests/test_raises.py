"""Where the Ruby raises (`on(:sucess, ...)`): nothing after it runs, up to where Ruby goes on."""

from __future__ import annotations

import ast
import pickle
from contextlib import nullcontext

import pytest
from conftest import only_workflow
from ruby_snippets import starter

from batch2flow.convert import convert
from batch2flow.runtime import RubyRaised, rehearsal, ruby_raises

CALLBACKS = """
class Done
  def on_success(status, options)
    C.perform_async
  end
end
"""


def test_an_unknown_event_raises_and_nothing_after_it_runs(ruby_tree):
    body = "b = Sidekiq::Batch.new\nb.on(:sucess, Done)\nb.jobs { A.perform_async }\nB.perform_async"
    graph = ruby_tree(starter(body, CALLBACKS))
    workflow = only_workflow(graph)
    assert workflow.jobs == () and workflow.callbacks == ()
    [raised] = workflow.raises
    assert (raised.error, raised.span.line, raised.raised_by, raised.ruby) == (
        "ArgumentError: Invalid event name: sucess", 4, None, "b.on(:sucess, Done)")
    assert [d.code for d in graph.diagnostics] == ["B2F101"]


def test_a_known_event_raises_nowhere(ruby_tree):
    body = "b = Sidekiq::Batch.new\nb.on(:success, Done)\nb.jobs { A.perform_async }\nB.perform_async"
    workflow = only_workflow(ruby_tree(starter(body, CALLBACKS)))
    assert workflow.raises == ()
    assert [job.worker for job in workflow.jobs] == ["A", "B", "C"]


HELPER = """
class Flow
  def call
    b = Sidekiq::Batch.new
    b.jobs { A.perform_async }
    register(b)
    B.perform_async
  end

  def register(b)
    b.on(:sucess, Done)
    D.perform_async
  end
end
"""

#: Ruby code around the raise -> the workers still enqueued
UNWINDING = {
    # a raise leaves the helper and its caller
    "helper_method": (HELPER, ["A"]),
    # a branch Ruby may skip: what follows runs in the runs that skipped it
    "if_branch": ("b = Sidekiq::Batch.new\nb.jobs { A.perform_async }\n"
                  "if big?\n  b.on(:sucess, Done)\n  D.perform_async\nend\nB.perform_async",
                  ["A", "B"]),
    "loop_body": ("b = Sidekiq::Batch.new\nb.jobs { A.perform_async }\n"
                  "items.each do |item|\n  b.on(:sucess, Done)\n  D.perform_async\nend\nB.perform_async",
                  ["A", "B"]),
    "rescued": ("b = Sidekiq::Batch.new\nb.jobs { A.perform_async }\nbegin\n  b.on(:sucess, Done)\n"
                "  D.perform_async\nrescue ArgumentError\n  E.perform_async\nend\nB.perform_async",
                ["A", "E", "B"]),
    # Sidekiq Pro pushes a jobs block's jobs when it ends: none, when it raised
    "inside_jobs_block": ("b = Sidekiq::Batch.new\nb.jobs do\n  A.perform_async\n"
                          "  b.on(:sucess, Done)\n  D.perform_async\nend\nB.perform_async", []),
}


@pytest.mark.parametrize(("code", "expected"), UNWINDING.values(), ids=UNWINDING.keys())
def test_a_raise_unwinds_to_where_ruby_goes_on(ruby_tree, code, expected):
    files = starter(code, CALLBACKS) if not code.startswith("\nclass Flow") else {
        **starter("", CALLBACKS), "app/services/flow.rb": code}
    workflow = only_workflow(ruby_tree(files))
    assert [job.worker for job in workflow.jobs] == expected
    assert [r.error for r in workflow.raises] == ["ArgumentError: Invalid event name: sucess"]


def test_a_job_that_raises_fails_alone(ruby_tree):
    """The raise is in a job's perform: that job fails, the starter has gone on."""
    files = starter("b = Sidekiq::Batch.new\nb.jobs do\n  Kick.perform_async\n  A.perform_async\nend\n"
                    "B.perform_async", CALLBACKS)
    files["app/workers/kick.rb"] = """
class Kick
  include Sidekiq::Job

  def perform
    batch.on(:sucess, Done)
    D.perform_async
  end
end
"""
    workflow = only_workflow(ruby_tree(files))
    assert [job.worker for job in workflow.jobs] == ["Kick", "A", "B"]
    [raised] = workflow.raises
    assert raised.raised_by == workflow.jobs[0].id


# --- the flow ------------------------------------------------------------------------------


def converted(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return convert([str(tmp_path)], tasks="translated")


def test_the_flow_raises_where_the_ruby_raises(tmp_path):
    body = "b = Sidekiq::Batch.new\nb.on(:sucess, Done)\nb.jobs { A.perform_async }"
    conversion = converted(tmp_path, starter(body, CALLBACKS))
    [plan] = conversion.plans
    source = conversion.files["flows/flow.py"]
    [call] = [node for node in ast.walk(ast.parse(source))
              if isinstance(node, ast.Call) and ast.unparse(node.func) == "ruby_raises"]
    assert [ast.literal_eval(arg) for arg in call.args] == [
        "ArgumentError: Invalid event name: sucess", "app/services/flow.rb:4"]
    assert "'app/services/flow.rb:4')  # b.on(:sucess, Done)\n" in source
    assert "a_worker" not in source and ".submit(" not in source
    # counted: the raise is a step of the workflow that was not converted (the batch is)
    assert (plan.found, plan.converted) == (2, 1)
    assert [d.code for d in plan.diagnostics] == ["B2F207"]
    assert "| Ruby raises `ArgumentError: Invalid event name: sucess` |" in conversion.files["MIGRATION.md"]


def test_a_flow_whose_ruby_raises_nowhere_has_no_raise(tmp_path):
    body = "b = Sidekiq::Batch.new\nb.on(:success, Done)\nb.jobs { A.perform_async }"
    conversion = converted(tmp_path, starter(body, CALLBACKS))
    assert "ruby_raises(" not in conversion.files["flows/flow.py"]
    assert [(p.found, p.converted) for p in conversion.plans] == [(4, 4)]  # A, Done, C, the batch


@pytest.mark.parametrize("rehearsing", [False, True], ids=["production", "rehearsal"])
def test_ruby_raises_stops_a_run_and_a_rehearsal(rehearsing):
    with rehearsal() if rehearsing else nullcontext(), pytest.raises(RubyRaised) as raised:
        ruby_raises("ArgumentError: Invalid event name: sucess", "app/x.rb:4")
    assert str(raised.value).startswith("app/x.rb:4: the Ruby raises here "
                                        "(ArgumentError: Invalid event name: sucess)")
    assert pickle.loads(pickle.dumps(raised.value)).where == "app/x.rb:4"
