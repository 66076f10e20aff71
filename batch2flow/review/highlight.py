"""The head chart of a changed workflow, with what the change added and removed marked.

Node ids differ between revisions, so nodes are matched by what they stand for: a
job by its worker, a callback by its event and target, a start by the workflow it
starts, a batch by its description. Nodes and edges of the base that the head lacks
are put back into the head workflow (ids prefixed `removed_`) to be drawn struck.
"""

from __future__ import annotations

from dataclasses import replace

from batch2flow.ir import Edge, Workflow
from batch2flow.render.mermaid_marks import Marks

_Sig = tuple[str, ...]
_GHOST = "removed_"
_DRAWN_BACK = ("job", "callback", "start")


def marked_workflow(base: Workflow, head: Workflow) -> tuple[Workflow, Marks]:
    """`head` with the removed jobs, callbacks, starts and edges of `base` added, and the marks."""
    old, new = _signatures(base), _signatures(head)
    new_sigs, old_sigs = set(new.values()), set(old.values())
    # batches and raises are not put back: a batch is a subgraph, not a node an edge names
    ghosts = {node for node, sig in old.items() if sig not in new_sigs and sig[0] in _DRAWN_BACK}
    removed = _removed_edges(base, head, old, new, ghosts)
    merged = replace(
        head,
        jobs=head.jobs + tuple(replace(job, id=_GHOST + job.id, batch=None)
                               for job in base.jobs if job.id in ghosts),
        callbacks=head.callbacks + tuple(replace(cb, id=_GHOST + cb.id, batch=_GHOST + cb.batch)
                                         for cb in base.callbacks if cb.id in ghosts),
        starts=head.starts + tuple(replace(start, id=_GHOST + start.id)
                                   for start in base.starts if start.id in ghosts),
        edges=head.edges + removed,
    )
    old_edges = {_edge_sig(edge, old) for edge in base.edges}
    fanned = {job.worker: job.fan_out for job in base.jobs}
    marks = Marks(
        added=frozenset(node for node, sig in new.items() if sig not in old_sigs and sig[0] in _DRAWN_BACK),
        removed=frozenset(_GHOST + node for node in ghosts),
        changed=frozenset(job.id for job in head.jobs if fanned.get(job.worker, job.fan_out) != job.fan_out),
        added_edges=frozenset(edge for edge in head.edges if _edge_sig(edge, new) not in old_edges),
        removed_edges=frozenset(removed),
    )
    return merged, marks


def _removed_edges(base: Workflow, head: Workflow, old: dict[str, _Sig], new: dict[str, _Sig],
                   ghosts: set[str]) -> tuple[Edge, ...]:
    """The edges of `base` the head lacks, between the head's nodes or the ghosts."""
    first_in_head: dict[_Sig, str] = {}
    for node, sig in new.items():
        first_in_head.setdefault(sig, node)

    def head_id(node: str) -> str | None:
        return _GHOST + node if node in ghosts else first_in_head.get(old.get(node, ("?", node)))

    head_edges = {_edge_sig(edge, new) for edge in head.edges}
    found: list[Edge] = []
    for edge in base.edges:
        source, target = head_id(edge.source), head_id(edge.target)
        # an end that is neither in the head nor put back (a batch) cannot be drawn
        if _edge_sig(edge, old) not in head_edges and source is not None and target is not None:
            moved = replace(edge, source=source, target=target)
            if moved not in found:
                found.append(moved)
    return tuple(found)


def _signatures(wf: Workflow) -> dict[str, _Sig]:
    """What each node stands for, independent of its id."""
    found: dict[str, _Sig] = {batch.id: ("batch", batch.description or "") for batch in wf.batches}
    found.update((job.id, ("job", job.worker)) for job in wf.jobs)
    found.update((cb.id, ("callback", cb.event, cb.target)) for cb in wf.callbacks)
    found.update((start.id, ("start", start.workflow)) for start in wf.starts)
    found.update((raised.id, ("raise", raised.error)) for raised in wf.raises)
    return found


def _edge_sig(edge: Edge, sigs: dict[str, _Sig]) -> tuple[_Sig, _Sig, str]:
    return sigs.get(edge.source, ("?", edge.source)), sigs.get(edge.target, ("?", edge.target)), edge.on
