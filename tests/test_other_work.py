"""A worker is retired as orchestration-only only when its perform does nothing else;
otherwise its task says which Ruby the flow does not run, and it is not counted as converted."""

from __future__ import annotations

import pytest
from conftest import only_workflow
from ruby_snippets import starter

from batch2flow.convert import convert

KICK = """
class Kick
  include Sidekiq::Job

  def perform(run_id)
{body}
  end

  def next_step(run_id)
    B.perform_async(run_id)
  end
end
"""
STARTER = "b = Sidekiq::Batch.new\nb.jobs { Kick.perform_async(7) }"


def files_with(perform: str) -> dict[str, str]:
    body = "\n".join("    " + line for line in perform.strip().splitlines())
    return {**starter(STARTER), "app/workers/kick.rb": KICK.format(body=body)}


#: performs that do nothing but orchestrate: batches, enqueues, guards, a helper that does it
ONLY_ORCHESTRATION = {
    "batch_and_enqueue": "batch.jobs do\n  step = Sidekiq::Batch.new\n  step.description = 'step'\n"
                         "  step.jobs { B.perform_async(run_id) }\nend",
    "guard_then_enqueue": "return if run_id.nil?\nB.perform_async(run_id)",
    "helper_method": "next_step(run_id)",
    "bid_kept": "bid = batch.bid\nB.perform_async(bid)",
}


@pytest.mark.parametrize("perform", ONLY_ORCHESTRATION.values(), ids=ONLY_ORCHESTRATION.keys())
def test_a_perform_that_only_orchestrates_is_retired_noop(ruby_tree, perform):
    kick = only_workflow(ruby_tree(files_with(perform))).jobs[0]
    assert kick.worker == "Kick" and kick.other_work == ()


#: performs that orchestrate and do more -> (line, Ruby) of each statement the flow does not run
WITH_OTHER_WORK = {
    "record_update": ("Run.find(run_id).update!(state: 'running')\nB.perform_async(run_id)",
                      [(6, "Run.find(run_id).update!(state: 'running')")]),
    "inside_the_jobs_block": ("batch.jobs do\n  Rails.logger.info('go')\n  B.perform_async(run_id)\nend",
                              [(7, "Rails.logger.info('go')")]),
    "a_whole_branch": ("if run_id > 3\n  notify!(run_id)\n  audit!\nend\nB.perform_async(run_id)",
                       [(6, "if run_id > 3\n  notify!(run_id)\n  audit!\nend")]),
    "after_the_enqueue": ("B.perform_async(run_id)\nRun.touch(run_id)", [(7, "Run.touch(run_id)")]),
}


@pytest.mark.parametrize(("perform", "expected"), WITH_OTHER_WORK.values(), ids=WITH_OTHER_WORK.keys())
def test_a_perform_that_does_more_keeps_its_other_ruby_fixes(ruby_tree, perform, expected):
    kick = only_workflow(ruby_tree(files_with(perform))).jobs[0]
    assert [(s.span.file, s.span.line, s.ruby) for s in kick.other_work] == [
        ("app/workers/kick.rb", line, ruby) for line, ruby in expected]


def test_a_plain_worker_is_not_orchestration_and_lists_nothing(ruby_tree):
    """A perform that orchestrates nothing runs through the bridge: all its Ruby runs there."""
    kick = only_workflow(ruby_tree(files_with("Run.find(run_id).update!(state: 'done')"))).jobs[0]
    assert kick.other_work == ()


def converted(tmp_path, perform: str):
    for name, text in files_with(perform).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    conversion = convert([str(tmp_path)], tasks="translated")
    [plan] = conversion.plans
    return conversion, plan


def test_the_task_of_a_worker_that_does_more_says_what_the_flow_does_not_run(tmp_path):
    conversion, plan = converted(tmp_path, WITH_OTHER_WORK["record_update"][0])
    source = conversion.files["flows/flow.py"]
    assert "only built batches" not in source
    assert ("does NOT run (B2F206):\n\n        app/workers/kick.rb:6\n"
            "            Run.find(run_id).update!(state: 'running')\n") in source
    assert "return orchestration_step('Kick')" in source
    [problem] = plan.diagnostics
    assert (problem.code, problem.file, problem.line) == ("B2F206", "app/workers/kick.rb", 6)
    # found: the jobs Kick and B, the batch, and the statement of Kick's perform the flow
    # does not run; Kick and that statement are what is not converted
    assert (plan.found, plan.converted) == (4, 2)
    assert "| job `Kick` | `app/services/flow.rb:4` | via `perform_async` | not converted: a retired task" \
        in conversion.files["MIGRATION.md"]


def test_the_task_of_a_worker_that_only_orchestrates_says_so(tmp_path):
    conversion, plan = converted(tmp_path, ONLY_ORCHESTRATION["batch_and_enqueue"])
    source = conversion.files["flows/flow.py"]
    assert "only built batches and enqueued jobs" in source and "B2F206" not in source
    assert plan.diagnostics == () and plan.converted == plan.found
    assert "retired task (its perform only orchestrated)" in conversion.files["MIGRATION.md"]
