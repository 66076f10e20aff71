"""`--format mermaid`: one `flowchart TD` per workflow, each in a Markdown code block.

Batches are subgraphs (a child batch inside its parent's), so the nesting Sidekiq
tracks is what the reader sees; jobs and callbacks sit in the batch that holds them,
and edges keep the analysis' happens-before with one line style per event.
"""

from __future__ import annotations

import re
from collections import defaultdict

from batch2flow.ir import Batch, Edge, Graph, Workflow
from batch2flow.render import mermaid_labels as ml
from batch2flow.render.mermaid_marks import Marks, style_lines

#: a line style per batch event, so success, complete and death read apart at a glance
ARROWS = {"success": "-->", "complete": "-.->", "death": "==>"}
LOOP_ARROW = "-.->"
_INDENT = "    "
#: what opens markup in Markdown text; not `_`, which inside a word (`data_pipeline.rb`)
#: opens none
_MARKDOWN_ACTIVE = re.compile(r"[\\`*<>\[\]|&]")


def render_mermaid(graph: Graph) -> str:
    """Markdown with one fenced `mermaid` block per workflow, under a heading naming it.

    GitHub renders one diagram per fenced block, so several workflows cannot share one.
    """
    if not graph.workflows:
        return "No Sidekiq Batch workflows found.\n"
    sections = [
        f"### {wf.name}\n\n{_text(wf.starter)}, {_text(wf.entry.file)}:{wf.entry.line}\n\n"
        f"```mermaid\n{workflow_chart(wf)}```\n"
        for wf in graph.workflows
    ]
    return "\n".join(sections)


def _text(value: str) -> str:
    """Markdown that stays plain text whatever a file name holds: no HTML, code span, link,
    emphasis or table cell opened (each such character backslash-escaped)."""
    return _MARKDOWN_ACTIVE.sub(r"\\\g<0>", value)


def workflow_chart(wf: Workflow, marks: Marks | None = None) -> str:
    """One workflow's `flowchart TD`, newline-terminated; `marks` style what a review changed."""
    return "\n".join(_Chart(wf, marks or Marks()).render()) + "\n"


class _Chart:
    """One workflow's flowchart, built top-down in the order of the IR (so deterministic)."""

    def __init__(self, wf: Workflow, marks: Marks) -> None:
        self.wf = wf
        self.marks = marks
        self.prefix = ml.slug(wf.name)
        self.lines = ["flowchart TD"]
        self.drawn: set[str] = set()
        known = {batch.id for batch in wf.batches}
        # a parent the workflow does not define makes a root rather than a lost batch
        self.children: dict[str | None, list[Batch]] = defaultdict(list)
        for batch in wf.batches:
            self.children[batch.parent if batch.parent in known else None].append(batch)

    def render(self) -> list[str]:
        for batch in self.children[None]:
            self._subgraph(batch, 1)
        # batches whose parents form a cycle are reached from no root: draw them anyway
        for batch in self.wf.batches:
            if batch.id not in self.drawn:
                self._subgraph(batch, 1)
        for job in self.wf.jobs:
            if job.batch not in self.drawn:
                self._add(1, ml.job_node(self._id(job.id), job, job.id in self.marks.removed))
        for cb in self.wf.callbacks:
            if cb.batch not in self.drawn:
                self._add(1, ml.callback_node(self._id(cb.id), cb, cb.id in self.marks.removed))
        self.lines += [_INDENT + ml.start_node(self._id(s.id), s) for s in self.wf.starts]
        self.lines += [_INDENT + ml.raise_node(self._id(r.id), r) for r in self.wf.raises]
        for edge in self.wf.edges:
            self._add(1, self._edge(edge))
        for line in style_lines(self.marks, self.wf.edges, self._id):
            self._add(1, line)
        return self.lines

    def _subgraph(self, batch: Batch, depth: int) -> None:
        self.drawn.add(batch.id)
        title = ml.escape(f"{batch.description or 'batch ' + batch.id} ({batch.span})")
        self._add(depth, f'subgraph {self._id(batch.id)} ["{title}"]')
        for job in self.wf.jobs:
            if job.batch == batch.id:
                self._add(depth + 1, ml.job_node(self._id(job.id), job, job.id in self.marks.removed))
        for child in self.children[batch.id]:
            if child.id not in self.drawn:
                self._subgraph(child, depth + 1)
        # callbacks after the children: a parent's callback fires once they are done
        for cb in self.wf.callbacks:
            if cb.batch == batch.id:
                self._add(depth + 1, ml.callback_node(self._id(cb.id), cb, cb.id in self.marks.removed))
        self._add(depth, "end")

    def _edge(self, edge: Edge) -> str:
        arrow = LOOP_ARROW if edge.loop else ARROWS.get(edge.on, "-->")
        text = f"loop: {edge.on}" if edge.loop else edge.on
        if edge.condition is not None:
            text += " if " + ml.snippet(edge.condition)
        if edge in self.marks.removed_edges:
            # dashed whatever its event, like the removed nodes, and its text struck
            arrow, text = LOOP_ARROW, ml.strike(text)
        return f'{self._id(edge.source)} {arrow}|"{ml.escape(text)}"| {self._id(edge.target)}'

    def _id(self, ident: str) -> str:
        return ml.node_id(self.prefix, ident)

    def _add(self, depth: int, line: str) -> None:
        self.lines.append(_INDENT * depth + line)
