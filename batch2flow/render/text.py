"""The default terminal format: each workflow as an indented tree a person reads.

Batches nest under their parent, each with its jobs, child batches and callbacks;
under a callback come the nodes it leads to. Jobs in no batch and workflow starts
have no batch to sit in, so each is shown in full under its "home": the job or
callback that enqueued it, else the first job or callback with an edge to it.
"""

from __future__ import annotations

from collections import defaultdict

from batch2flow.ir import Batch, Callback, Edge, Graph, Job, Start, Workflow
from batch2flow.render.text_lines import Node, flat, node_line, raise_line, summary
from batch2flow.terminal import visible

_INDENT = "  "


def render_text(graph: Graph) -> str:
    """The tree of every workflow, then the summary line. The diagnostics are not in it:
    the CLI prints them on stderr, each with its source line and a caret."""
    out: list[str] = []
    for wf in graph.workflows:
        out += _Tree(wf).render() + [""]
    out.append(summary(graph))
    # names, conditions and paths come from the Ruby tree: shown, never run by a terminal
    return "\n".join(visible(line) for line in out) + "\n"


class _Tree:
    def __init__(self, wf: Workflow) -> None:
        self.wf = wf
        self.lines: list[str] = []
        self.shown: set[str] = set()
        all_nodes: list[Node] = [*wf.batches, *wf.jobs, *wf.callbacks, *wf.starts]
        self.nodes = {node.id: node for node in all_nodes}
        batch_ids = {batch.id for batch in wf.batches}
        self.children: dict[str | None, list[Batch]] = defaultdict(list)
        for batch in wf.batches:
            self.children[batch.parent if batch.parent in batch_ids else None].append(batch)
        self.edges: dict[str, list[Edge]] = defaultdict(list)
        for edge in wf.edges:
            self.edges[edge.source].append(edge)
        #: jobs in no batch, and starts: nodes with no batch to sit in
        self.floating: list[Job | Start] = [j for j in wf.jobs if j.batch not in batch_ids]
        self.floating += wf.starts
        #: nodes whose code can enqueue: a floating node's home is one of them
        self.actors = {job.id for job in wf.jobs} | {cb.id for cb in wf.callbacks}
        self.homed: dict[str | None, list[str]] = defaultdict(list)
        for node in self.floating:
            self.homed[self._home(node)].append(node.id)

    def _home(self, node: Job | Start) -> str | None:
        if node.spawned_by in self.actors:
            return node.spawned_by
        return next((e.source for e in self.wf.edges
                     if e.target == node.id and e.source in self.actors), None)

    def render(self) -> list[str]:
        wf = self.wf
        self.lines.append(f"workflow {wf.name}  ({wf.starter}, {wf.entry})")
        roots = [b.id for b in self.children[None]]
        # then whatever no root reaches (a parent cycle, a callback on an unknown batch, a
        # job whose home is never shown) is still listed, at the top level
        rest = [n.id for n in wf.batches] + [n.id for n in wf.callbacks]
        rest += [n.id for n in self.floating]
        for ident in (*roots, *self.homed[None], *rest):
            if ident not in self.shown:
                self._node(self.nodes[ident], 1, "")
        self.lines += [_INDENT + raise_line(raised) for raised in wf.raises]
        return self.lines

    def _node(self, node: Node, depth: int, prefix: str, extra: tuple[str, ...] = ()) -> None:
        self.shown.add(node.id)
        self.lines.append(_INDENT * depth + prefix + node_line(node, list(extra)))
        if isinstance(node, Batch):
            self._batch_body(node, depth + 1)
        elif isinstance(node, Callback):
            self._leads_to(node, depth + 1)
        else:
            self._spawned(node, depth + 1, "spawns " if isinstance(node, Job) else "then ")

    def _batch_body(self, batch: Batch, depth: int) -> None:
        members = [job for job in self.wf.jobs if job.batch == batch.id]
        kids = [b for b in self.children[batch.id] if b.id not in self.shown]
        # callbacks last: a batch's callback runs once its jobs and child batches are done
        callbacks = [cb for cb in self.wf.callbacks if cb.batch == batch.id]
        ordered: list[Node] = [*members, *kids, *callbacks]
        for node in ordered:
            if node.id not in self.shown:
                self._node(node, depth, "")

    def _spawned(self, node: Node, depth: int, prefix: str) -> None:
        for ident in self.homed[node.id]:
            if ident not in self.shown:
                self._node(self.nodes[ident], depth, prefix)

    def _leads_to(self, cb: Callback, depth: int) -> None:
        listed: set[str] = set()
        for edge in self.edges[cb.id]:
            target = self.nodes.get(edge.target)
            if edge.target in listed:
                continue
            listed.add(edge.target)
            extra = _edge_tags(edge, target)
            if target is None or target is cb:
                # a self-loop needs no second copy of the callback; an id the analysis did
                # not define is named rather than dropped
                head = "then again" if target is cb else f"then {edge.target}"
                self.lines.append(_INDENT * depth + "  ".join([head, " ".join(extra)]).rstrip())
            elif edge.target in self.homed[cb.id] and edge.target not in self.shown:
                self._node(target, depth, "then ", tuple(extra))
            else:
                # shown in full elsewhere (its batch, its home): one line as a pointer
                self.lines.append(_INDENT * depth + "then " + node_line(target, extra))
        self._spawned(cb, depth, "then ")


def _edge_tags(edge: Edge, target: Node | None) -> list[str]:
    tags = ["[loop]"] if edge.loop else []
    own = target.condition if isinstance(target, Job | Callback | Start) else None
    if edge.condition is not None and edge.condition != own:
        tags.append(f"[if {flat(edge.condition)}]")
    return tags
