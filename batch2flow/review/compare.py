"""Two graphs -> the changes a reviewer reads: per workflow, matched by name."""

from __future__ import annotations

from dataclasses import dataclass, replace

from batch2flow.diagnostics import Diagnostic
from batch2flow.ir import Graph, Workflow
from batch2flow.review.diagnostics import diagnostics_diff
from batch2flow.review.relation import EMPTY, Order, Shape, shape_of

#: what `head` says when the work tree (not a commit) was read
WORKTREE = "worktree"


@dataclass(frozen=True, kw_only=True)
class WorkflowChange:
    name: str
    #: added | removed | changed | unchanged
    status: str
    #: worker classes enqueued at one revision only, sorted
    jobs_added: tuple[str, ...]
    jobs_removed: tuple[str, ...]
    #: happens-before pairs at one revision only (an event change is one of each), sorted
    order_added: tuple[Order, ...]
    order_removed: tuple[Order, ...]
    #: (worker, fan_out at the head) for workers at both revisions whose fan-out changed
    fan_out_changed: tuple[tuple[str, bool], ...]
    #: the workflow at the base, None where it does not exist (for the chart)
    base: Workflow | None
    #: the workflow at the head, None where it does not exist
    head: Workflow | None


@dataclass(frozen=True, kw_only=True)
class Review:
    #: abbreviated commit of the base
    base: str
    #: abbreviated commit of the head, or `worktree`
    head: str
    #: every workflow of either revision, by name
    workflows: tuple[WorkflowChange, ...]
    #: diagnostics of the head that the base did not have (see `review.diagnostics`)
    diagnostics_added: tuple[Diagnostic, ...]
    #: diagnostics of the base that the head no longer has
    diagnostics_fixed: tuple[Diagnostic, ...]


def compare(base: Graph, head: Graph, base_label: str, head_label: str) -> Review:
    before = {wf.name: wf for wf in base.workflows}
    after = {wf.name: wf for wf in head.workflows}
    changes = tuple(_change(name, before.get(name), after.get(name)) for name in sorted({*before, *after}))
    added, fixed = diagnostics_diff(base.diagnostics, head.diagnostics)
    return Review(base=base_label, head=head_label, workflows=changes,
                  diagnostics_added=added, diagnostics_fixed=fixed)


def _change(name: str, base: Workflow | None, head: Workflow | None) -> WorkflowChange:
    old = EMPTY if base is None else shape_of(base)
    new = EMPTY if head is None else shape_of(head)
    change = WorkflowChange(
        name=name, status="unchanged", base=base, head=head,
        jobs_added=tuple(sorted(new.workers - old.workers)),
        jobs_removed=tuple(sorted(old.workers - new.workers)),
        order_added=tuple(sorted(new.order - old.order)),
        order_removed=tuple(sorted(old.order - new.order)),
        fan_out_changed=_fan_out_changed(old, new),
    )
    return replace(change, status=_status(change))


def _status(change: WorkflowChange) -> str:
    if change.base is None:
        return "added"
    if change.head is None:
        return "removed"
    differs = (change.jobs_added or change.jobs_removed or change.order_added
               or change.order_removed or change.fan_out_changed)
    return "changed" if differs else "unchanged"


def _fan_out_changed(old: Shape, new: Shape) -> tuple[tuple[str, bool], ...]:
    before = dict(old.fan_out)
    # a worker new at the head is a job added, not a fan-out change
    return tuple((worker, fans) for worker, fans in new.fan_out
                 if worker in before and before[worker] != fans)
