"""Workers that orchestrate and do more: what their retired task does not run.

The flow builds the batches and submits the jobs such a perform enqueued, so its task
sends nothing to Sidekiq; the perform's other statements (a record updated, a log line)
then run nowhere. The task's docstring lists them with file:line, a diagnostic says
so, and the worker's jobs do not count as converted.
"""

from __future__ import annotations

from dataclasses import replace

from batch2flow import diagnostics as diag
from batch2flow.codegen.plan import TaskPlan
from batch2flow.codegen.submits import Untranslated
from batch2flow.ir import Job, RubyStatement, Workflow


def not_run_statements(jobs: list[Job]) -> list[RubyStatement]:
    """The other work of every job of one worker, once each, in source order."""
    found = {(s.span.file, s.span.line, s.span.col): s for job in jobs for s in job.other_work}
    return [found[key] for key in sorted(found)]


def with_not_run(task: TaskPlan, jobs: list[Job]) -> TaskPlan:
    """An orchestration task, with the Ruby it does not run listed (when there is any)."""
    statements = not_run_statements(jobs)
    if not task.orchestration or not statements:
        return task
    blocks = [f"{s.span}\n" + "\n".join("    " + line for line in s.ruby.split("\n"))
              for s in statements]
    return replace(task, not_run="\n\n".join(blocks))


def report_other_work(workflow: Workflow, tasks: dict[str, TaskPlan], todo: Untranslated) -> None:
    """A B2F206 per such worker, and each of its jobs counted as not converted."""
    for job in workflow.jobs:
        if tasks[job.id].not_run is None:
            continue
        statements = not_run_statements([j for j in workflow.jobs if j.worker == job.worker])
        span, first_line = statements[0].span, statements[0].ruby.split("\n", 1)[0]
        # the same message for every job of the worker: the plan reports it once
        todo.add(job.id, diag.OTHER_WORK, (span.file, span.line, span.col),
                 f"worker {job.worker} does more than orchestrate: {len(statements)} statement(s) "
                 f"of its perform, from `{first_line}`, are not run by the flow (its task's "
                 "docstring lists them)")
