"""Worker without `perform`, or whose `perform` cannot take its arguments.

What it does:
    Finds job classes that are enqueued but define no `perform` (often a misspelt one,
    `def preform`), and enqueues that pass more or fewer arguments than `perform`
    accepts, or leave out a required keyword argument.

Why is this bad:
    The job fails on every run (`NotImplementedError` or `NoMethodError` for a missing
    perform, `ArgumentError` for the arity), goes through its retries and dies; a
    `:success` callback waiting for it never fires.

Example:
    ```ruby
    class ChargeWorker
      include Sidekiq::Job
      def perform(invoice_id, amount); end
    end
    ChargeWorker.perform_async(invoice.id)    # perform needs 2 arguments
    ```
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.ir import Job
from batch2flow.lint.context import LintContext
from batch2flow.lint.graph_views import at_span, jobs, own_method
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.ruby.index import MethodDef

HELP = "define `perform` taking the arguments the job is enqueued with"
#: enqueues whose arguments are counted (bulk and push forms pass lists of argument lists)
COUNTED = frozenset({"perform_async", "perform_in", "perform_at", "perform_later", "perform_inline"})


@rule(diag.NO_PERFORM, help=HELP, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    missing: set[str] = set()
    for job in jobs(ctx):
        if ctx.index.worker_kind(job.worker) is None:
            continue
        perform = own_method(ctx, job.worker, "perform")
        if perform is None:
            missing.add(job.worker)
        elif job.via in COUNTED and not any(a.startswith("*") for a in job.args):
            problem = _arity_problem(perform, job, ctx.index.worker_kind(job.worker) == "active_job")
            if problem:
                yield at_span(diag.NO_PERFORM, job.span, problem)
    for worker in sorted(missing):
        yield _no_perform(ctx, worker)


def _arity_problem(perform: MethodDef, job: Job, keywords_pass: bool) -> str | None:
    kinds = perform.param_kinds
    given = len(job.args)
    required, optional = kinds.count("req"), kinds.count("opt")
    where = f"{perform.label} ({perform.file.path}:{perform.line})"
    if keywords_pass and any(k.startswith("key") for k in kinds):
        return None  # ActiveJob passes keyword arguments through
    if "keyreq" in kinds:
        return f"{where} requires keyword arguments, which Sidekiq never passes"
    if given < required or ("rest" not in kinds and given > required + optional):
        takes = str(required) if not optional else f"{required} to {required + optional}"
        takes += " or more" if "rest" in kinds else ""
        return f"{where} takes {takes} argument{'s' if takes != '1' else ''}, enqueued with {given}"
    return None


def _no_perform(ctx: LintContext, worker: str) -> Finding:
    info = ctx.index.classes[worker]
    text = info.file.source_line(info.line)
    close = difflib.get_close_matches("perform", list(info.methods), n=1, cutoff=0.7)
    hint = ""
    if close:
        hint = f" (did you mean `perform`? `{close[0]}` is defined at line {info.methods[close[0]].line})"
    return Finding(diag.make(diag.NO_PERFORM, info.file.path, info.line, len(text) - len(text.lstrip()) + 1,
                             f"`{worker}` is enqueued but defines no `perform`{hint}"))
