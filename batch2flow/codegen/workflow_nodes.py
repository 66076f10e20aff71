"""A workflow's nodes by id, built once per flow and shared by the parts that plan it."""

from __future__ import annotations

from dataclasses import dataclass

from batch2flow.ir import Batch, Callback, Job, Raise, Start, Workflow


@dataclass(frozen=True)
class WorkflowNodes:
    jobs: dict[str, Job]
    batches: dict[str, Batch]
    callbacks: dict[str, Callback]
    starts: dict[str, Start]
    raises: dict[str, Raise]

    @staticmethod
    def of(workflow: Workflow) -> WorkflowNodes:
        return WorkflowNodes(
            jobs={j.id: j for j in workflow.jobs},
            batches={b.id: b for b in workflow.batches},
            callbacks={c.id: c for c in workflow.callbacks},
            starts={s.id: s for s in workflow.starts},
            raises={r.id: r for r in workflow.raises},
        )
