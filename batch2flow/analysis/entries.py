"""Which workflows are entry points of the app, and which run only as a step of another.

A workflow another workflow starts (a callback calling `self.class.next_step`) runs in the
flow run of the one that starts it. It is an entry point of its own as well only when
something outside every workflow also starts it: a caller in the tree that no workflow's
code reaches (a controller, a rake task), or, for a worker's `perform`, always (a worker
can be enqueued from anywhere, or scheduled). Only entry points get a deployment.
"""

from __future__ import annotations

from dataclasses import replace

from batch2flow.analysis.entry_points import Definition, callers_of, where
from batch2flow.analysis.lexical import all_methods
from batch2flow.ir import Workflow
from batch2flow.ruby.index import CodeIndex, MethodDef


def mark_entry_points(workflows: list[Workflow], index: CodeIndex) -> list[Workflow]:
    started = {s.workflow for wf in workflows for s in wf.starts if not s.restart and s.workflow != wf.name}
    if not started:
        return workflows
    methods = {where(m): m for m in all_methods(index)}
    by_label = {m.label: m for m in all_methods(index)}
    code = _workflow_code(workflows, by_label)
    found = []
    for wf in workflows:
        method = by_label.get(wf.starter)
        inner = (wf.name in started and method is not None and not wf.starter.endswith("#perform")
                 and _reached_only_from(where(method), code, index, methods))
        found.append(replace(wf, entry_point=not inner))
    return found


def _workflow_code(workflows: list[Workflow], by_label: dict[str, MethodDef]) -> set[Definition]:
    """The methods workflows run: starters, callback methods, jobs' performs."""
    labels = {wf.starter for wf in workflows}
    labels |= {cb.target for wf in workflows for cb in wf.callbacks if not cb.placeholder}
    labels |= {f"{job.worker}#perform" for wf in workflows for job in wf.jobs if not job.placeholder}
    return {where(by_label[label]) for label in labels if label in by_label}


def _reached_only_from(starter: Definition, code: set[Definition], index: CodeIndex,
                       methods: dict[Definition, MethodDef]) -> bool:
    """The starter has callers, and each of them, followed up through plain methods, is
    workflow code: nothing outside the workflows calls it. A caller the reader cannot see
    (none found) counts as outside."""
    seen = {starter}
    todo = [starter]
    while todo:
        current = todo.pop()
        callers = callers_of(index, methods, {methods[current].name}).get(current, set())
        if not callers and current not in code:
            return False
        if not callers and current == starter:
            return False
        for caller in callers - seen:
            seen.add(caller)
            if caller not in code:
                todo.append(caller)
    return True
