"""MIGRATION.md: what each Sidekiq workflow became, and what is left to do by hand.

Ruby text (worker names from `constantize`, conditions, stub sources, paths) reaches
the Markdown only through `code`, `cell` and `fenced`, so no backtick, pipe or newline
in it can end a code span, split a table row or close a fenced block early.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from functools import cache

import jinja2

from batch2flow.codegen.plan import FlowPlan, TaskPlan
from batch2flow.codegen.ruby_flow_plan import starter_callable
from batch2flow.deployment import BRIDGE_BLOCK, WORK_POOL
from batch2flow.diagnostics import Diagnostic
from batch2flow.ir import Callback, Graph, Job, Workflow
from batch2flow.templating import strict_environment


@dataclass(frozen=True)
class Row:
    """One line of a workflow's "what became what" table."""

    #: the Ruby side, e.g. ("job", "Billing::ChargeWorker")
    kind: str
    name: str
    #: file:line in the Ruby tree
    where: str
    #: how Sidekiq ran it: (label, Ruby text shown as code, "" for none), e.g. ("if", "opts[:deep]")
    notes: tuple[tuple[str, str], ...]
    #: what it became in the flow module: plain text, then Python shown as code ("" for none)
    became: str
    python: str


#: what each job and callback became where every Ruby method runs in Ruby (`--tasks ruby`)
IN_RUBY = "runs in Ruby through the bridge; the flow submits what it planned"


def render_migration(graph: Graph, plans: list[FlowPlan], ruby_computes: bool = False) -> str:
    """`ruby_computes`: the flows of `--tasks ruby`, where no Ruby is translated, so the
    translating planner's rows, stubs and findings do not apply."""
    workflows = {wf.name: wf for wf in graph.workflows}
    tied: set[Diagnostic] = set()
    sections = []
    for plan in plans:
        workflow = workflows.get(plan.workflow)
        files = _files(workflow) if workflow else set()
        own = [d for d in graph.diagnostics if d.file in files]
        tied.update(own)
        rows = _rows(workflow, plan) if workflow else []
        sections.append({
            "plan": plan,
            "rows": [_in_ruby(row) for row in rows] if ruby_computes else rows,
            "diagnostics": sorted(set(own) | (set() if ruby_computes else set(plan.diagnostics))),
            "coverage": RUBY_COVERAGE if ruby_computes else coverage(plan.converted, plan.found),
            "stubs": () if ruby_computes else plan.stubs,
            # a step only other workflows start: their Ruby-computes flows run it
            "step_of": sorted({wf.name for wf in graph.workflows for start in wf.starts
                               if start.workflow == plan.workflow and wf.name != plan.workflow})
            if ruby_computes and workflow is not None and not workflow.entry_point else [],
        })
    found, converted = sum(p.found for p in plans), sum(p.converted for p in plans)
    return _environment().get_template("MIGRATION.md.j2").render(
        work_pool=WORK_POOL, bridge_block=BRIDGE_BLOCK, ruby_computes=ruby_computes,
        plans=plans, sections=sections,
        coverage=RUBY_COVERAGE if ruby_computes else coverage(converted, found),
        untied=sorted(d for d in graph.diagnostics if d not in tied),
        recorded=[wf for wf in graph.workflows if not starter_callable(wf)] if ruby_computes else [],
    )


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 workflow`, `2 workflows`."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def coverage(converted: int, found: int) -> str:
    """`7 of 8 jobs and callbacks (87.5%) converted ...`, the percentage rounded down (in
    integers, so exactly), so that 100% is only ever shown when nothing is left to do."""
    if found == 0:
        return "no jobs or callbacks to convert"
    tenths = converted * 1000 // found
    return f"{converted} of {found} jobs and callbacks ({tenths / 10:g}%) converted without a stub"


def _files(workflow: Workflow) -> set[str]:
    spans = [workflow.entry, *(b.span for b in workflow.batches), *(j.span for j in workflow.jobs),
             *(c.span for c in workflow.callbacks), *(s.span for s in workflow.starts)]
    spans += [c.method_span for c in workflow.callbacks if c.method_span is not None]
    return {span.file for span in spans}


def _rows(workflow: Workflow, plan: FlowPlan) -> list[Row]:
    tasks: dict[str, TaskPlan] = {}
    for task in plan.tasks:
        tasks.setdefault(task.worker, task)
    task_names = dict(plan.task_names)
    rows = [_job_row(job, tasks.get(task_names.get(job.id, ""))) for job in workflow.jobs]
    for callback in workflow.callbacks:
        notes = [("if", callback.condition)] if callback.condition else []
        rows.append(Row(f":{callback.event} callback", callback.target, str(callback.span),
                        tuple(notes), _callback_outcome(callback), ""))
    for start in workflow.starts:
        notes = [("if", start.condition)] if start.condition else []
        if start.restart:
            row = Row("restarts workflow", start.workflow, str(start.span), tuple(notes), "a loop", "")
        else:
            row = Row("starts workflow", start.workflow, str(start.span), tuple(notes), "started with",
                      "run_deployment(..., timeout=0)")
        rows.append(row)
    for raised in workflow.raises:
        notes = [("raises", raised.ruby)] + ([("if", raised.condition)] if raised.condition else [])
        rows.append(Row("Ruby raises", raised.error, str(raised.span), tuple(notes),
                        "not converted: the flow raises there too", "ruby_raises(...)"))
    return rows


RUBY_COVERAGE = "every job and callback runs in Ruby, as written, through the bridge"


def _in_ruby(row: Row) -> Row:
    if row.kind == "starts workflow":
        # its Ruby runs inside the call; the batches it plans are at sites this flow's
        # graph does not hold, so the run stops there with UnplannedWork, never silently
        became = "not followed yet: the run stops with UnplannedWork at its first batch"
    elif row.kind == "Ruby raises":
        became = "raises in Ruby, as before: that job or callback dies"
    else:
        became = IN_RUBY
    return replace(row, became=became, python="")


def _callback_outcome(callback: Callback) -> str:
    if callback.placeholder:
        return "not converted: only known at run time"
    if callback.repeats is not None:
        return "not converted: a loop, the flow runs one round"
    return "block in the flow body"


def _job_row(job: Job, task: TaskPlan | None) -> Row:
    notes = [("via", job.via)]
    if job.fan_out:
        notes.append(("fan-out over", job.loop.items) if job.loop else ("fan-out", ""))
    notes += [(label, text) for label, text in (("if", job.condition), ("delay", job.delay)) if text]
    if task is None:
        return Row("job", job.worker, str(job.span), tuple(notes), "not converted", "")
    became = "retired task (its perform only orchestrated)" if task.orchestration else "task"
    if task.not_run is not None:
        became = ("not converted: a retired task, but its perform also runs Ruby the flow does "
                  "not run (B2F206, listed in the task's docstring)")
    return Row("job", job.worker, str(job.span), tuple(notes), became, task.function)


def code(text: str) -> str:
    """An inline code span with a backtick fence longer than any run inside; line breaks
    folded, since a code span cannot hold one in a table or a list item."""
    text = _one_line(text)
    fence = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(text: str) -> str:
    """A table cell: one line, `|` escaped. GFM splits a row at `|` before it reads code
    spans, and `\\|` keeps the pipe inside a code span too."""
    return _one_line(text).replace("|", "\\|")


def fenced(text: str, language: str = "") -> str:
    """A fenced code block that no line of `text` can close."""
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}{language}\n{body}{fence}"


def report(found: list[Diagnostic]) -> str:
    """Diagnostics as the CLI prints them, in a block their text cannot break out of."""
    return fenced("\n".join(d.format() for d in found), "text") if found else "None."


def _one_line(text: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


@cache
def _environment() -> jinja2.Environment:
    return strict_environment(dict(code=code, cell=cell, fenced=fenced, report=report, shell=shlex.quote))
