"""Why a job of a rehearsed flow run never started, from the graph and what the run did.

A rehearsal knows which jobs started and which failed; the graph knows what each node
waits for. A node never started because something it waits for failed (a `:success`
callback waits for every job of its batch and of the batches inside it), because a
branch it sits in was not taken, or because it runs on `:death` and nothing died. The
nearest failed job is named first: a failure stops a node whatever its conditions say.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable

from batch2flow.ir import Callback, Job, Start, Workflow
from batch2flow.render.text_lines import flat

Node = Job | Callback | Start


class _Waits:
    """What each node of one workflow waits for, and what one run of it did."""

    def __init__(self, wf: Workflow, started: set[str], failed: set[str]) -> None:
        all_nodes: list[Node] = [*wf.jobs, *wf.callbacks, *wf.starts]
        self.nodes = {node.id: node for node in all_nodes}
        self.started, self.failed = started, failed
        self.incoming: dict[str, list[str]] = defaultdict(list)
        for edge in wf.edges:
            # a failure holds up what runs on success; :complete and :death run anyway
            if edge.on == "success" or not isinstance(self.nodes.get(edge.source), Job):
                self.incoming[edge.target].append(edge.source)
        self.conditions = {edge.target: edge.condition for edge in wf.edges if edge.condition}
        parents = {batch.id: batch.parent for batch in wf.batches}
        #: batch -> the jobs in it and in the batches inside it
        self.jobs_in: dict[str, list[str]] = defaultdict(list)
        for job in wf.jobs:
            batch, seen = job.batch, set()
            while batch is not None and batch not in seen:  # a parent cycle ends too
                seen.add(batch)
                self.jobs_in[batch].append(job.id)
                batch = parents.get(batch)

    def before(self, node: Node) -> list[str]:
        """The nodes `node` cannot start without: its maker and what it waits for."""
        found = [self._maker(node) or "", *self.incoming[node.id]]
        if isinstance(node, Callback) and node.event == "success":
            found += self.jobs_in[node.batch]
        return [ident for ident in found if ident in self.nodes]

    @staticmethod
    def _maker(node: Node) -> str | None:
        return node.registered_by if isinstance(node, Callback) else node.spawned_by

    def ran(self, node: Node) -> bool:
        return isinstance(node, Job) and node.worker in self.started

    def failed_before(self, node: Node) -> Job | None:
        """The nearest job `node` waits for (through what it waits for) that failed."""
        seen, todo = {node.id}, deque(self.before(node))
        while todo:
            ident = todo.popleft()
            if ident in seen:
                continue
            seen.add(ident)
            found = self.nodes[ident]
            if isinstance(found, Job) and found.worker in self.failed:
                return found
            if not self.ran(found):  # what a job that ran waited for was there
                todo.extend(self.before(found))
        return None

    def gate(self, node: Node) -> str | None:
        """The first branch not taken or `:death` not fired, up the chain that made `node`."""
        current: Node | None = node
        while current is not None and not self.ran(current):
            condition = current.condition or self.conditions.get(current.id)
            if condition:
                return f"branch `if {flat(condition)}` not taken ({current.span})"
            if isinstance(current, Callback) and current.event == "death":
                return f"runs on :death of batch {current.batch} ({current.span}), and no job of it died"
            maker = self._maker(current)
            current = self.nodes.get(maker) if maker is not None else None
        return None

    def reason(self, node: Node) -> str:
        failed = self.failed_before(node)
        if failed is not None:
            return f"waits for {failed.worker} ({failed.span}), which failed"
        gate = self.gate(node)
        if gate is not None:
            return gate
        if isinstance(node, Job) and node.loop is not None:
            return f"enqueued once per item of `{flat(node.loop.items)}`, which had none"
        return "not reached, though nothing it waits for failed and it sits in no branch"


def never_started(wf: Workflow, events: Iterable[dict[str, object]],
                  started_workflows: Iterable[str]) -> list[tuple[str, str]]:
    """(what, why) for each worker of `wf` that no job of the run started, and each
    workflow it starts that the run did not start; `events` are the run's job events."""
    events = list(events)
    waits = _Waits(wf, {str(e["worker"]) for e in events if e["event"] == "start"},
                   {str(e["worker"]) for e in events if e["event"] == "fail"})
    found: dict[str, str] = {}
    for job in wf.jobs:
        if job.worker not in waits.started and job.worker not in found:
            found[job.worker] = waits.reason(job)
    begun = set(started_workflows)
    for start in wf.starts:
        what = f"workflow {start.workflow}"
        if start.workflow not in begun and what not in found:
            found[what] = waits.reason(start)
    return list(found.items())
