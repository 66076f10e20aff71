"""What the work of a callback block waits for in the flow (planner.py writes it).

Sidekiq runs a callback's work only once its batch reached the callback's event, and a
callback registered inside another callback exists only if that one ran: so the work
waits for its own batch and for the batches of every callback that registered it. A
`:death` waits for nothing; its work runs under a check that a job of the batch died.
"""

from __future__ import annotations

from batch2flow.codegen.blocks import STARTER, Blocks
from batch2flow.codegen.conditions import relative_condition
from batch2flow.codegen.workflow_nodes import WorkflowNodes
from batch2flow.ir import Callback, Workflow

#: a batch to wait for, and whether it must succeed (else finish)
Wait = tuple[str, bool]


class CallbackWaits:
    def __init__(self, workflow: Workflow, nodes: WorkflowNodes, blocks: Blocks,
                 below: dict[str, list[str]]) -> None:
        self.wf = workflow
        self.blocks = blocks
        #: batch id -> itself and every batch below it
        self.below = below
        self.callbacks = nodes.callbacks

    def closure(self, keys: set[str]) -> set[str]:
        """`keys` and every block they need, through `needs`, the starter left out."""
        found: set[str] = set()
        pending = list(keys)
        while pending:
            need = pending.pop()
            if need not in found and need != STARTER:
                found.add(need)
                pending.extend(self.blocks.needs[need])
        return found

    def waits(self, cb: Callback) -> tuple[list[Wait], list[str]]:
        """What the work of `cb` waits for: its own batch, and the batches of the callbacks
        whose code registered it (a callback registered in a `:success` callback that never
        fired was never registered, so its `:complete` work must not run either), those
        another implies left out. Returns the waits, and the batches whose death is a
        precondition, innermost first."""
        waits: list[Wait] = []
        deaths: list[str] = []
        current: Callback | None = cb
        implied = False
        while current is not None:
            if current.event == "death":
                deaths.append(current.batch)
            elif not implied:
                waits.append((current.batch, current.event == "success"))
            registrar = self.blocks.block_of.get(current.id, STARTER)
            outer = self.callbacks.get(registrar) if registrar != STARTER else None
            implied = implied or (outer is not None and self._carries_waits(current, outer))
            current = outer
        return self._implied_left_out(waits), deaths

    def _carries_waits(self, cb: Callback, registrar: Callback) -> bool:
        """Waiting for `cb`'s batch to succeed already waits for what `registrar`'s work
        waits for: a job the registrar surely submits into that batch waited for all of it
        (and a failure there leaves that job NotReady, and so whatever waits for it)."""
        if cb.event != "success":
            return False
        return any(
            job.spawned_by == registrar.id and job.batch in self.below[cb.batch]
            and not job.fan_out and not job.placeholder
            and relative_condition(job.condition, registrar.condition) is None
            for job in self.wf.jobs
        )

    def _implied_left_out(self, waits: list[Wait]) -> list[Wait]:
        """`waits` without those another one implies: a batch's futures hold its children's,
        and succeeding implies finishing. Of two alike, the first stays."""
        def implies(wider: Wait, narrower: Wait) -> bool:
            return narrower[0] in self.below[wider[0]] and (wider[1] or not narrower[1])

        return [wait for i, wait in enumerate(waits)
                if not any(implies(other, wait) and (j < i or not implies(wait, other))
                           for j, other in enumerate(waits) if j != i)]
