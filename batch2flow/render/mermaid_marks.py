"""Marks on a flowchart: nodes and edges a review highlights as added or removed.

Added ones are drawn green and bold, removed ones red, dashed, their text struck
through (`mermaid_labels.strike`), changed ones (a job that now fans out) amber.
Mermaid styles nodes by class and edges by their position in the chart, so the
style lines come after every node and edge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from batch2flow.ir import Edge

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
CLASS_DEFS = {
    ADDED: "fill:#dafbe1,stroke:#1a7f37,stroke-width:3px",
    REMOVED: "fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5",
    CHANGED: "fill:#fff8c5,stroke:#9a6700,stroke-width:3px",
}
LINK_STYLES = {
    ADDED: "stroke:#1a7f37,stroke-width:3px",
    REMOVED: "stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5",
}


@dataclass(frozen=True)
class Marks:
    #: ids (of the IR) of nodes new in this chart
    added: frozenset[str] = frozenset()
    #: ids of nodes that are gone: drawn for the reader, struck through
    removed: frozenset[str] = frozenset()
    #: ids of nodes there before and after, drawn otherwise now
    changed: frozenset[str] = frozenset()
    added_edges: frozenset[Edge] = frozenset()
    removed_edges: frozenset[Edge] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.added_edges or self.removed_edges)


def style_lines(marks: Marks, edges: tuple[Edge, ...], node_id: Callable[[str], str]) -> list[str]:
    """classDef, class and linkStyle lines for `marks`; edges are indexed in drawing order."""
    if not marks:
        return []
    lines = [f"classDef {name} {style}" for name, style in CLASS_DEFS.items()]
    for name, ids in ((ADDED, marks.added), (REMOVED, marks.removed), (CHANGED, marks.changed)):
        if ids:
            lines.append(f"class {','.join(node_id(i) for i in sorted(ids))} {name}")
    for name, marked in ((ADDED, marks.added_edges), (REMOVED, marks.removed_edges)):
        positions = [str(n) for n, edge in enumerate(edges) if edge in marked]
        if positions:
            lines.append(f"linkStyle {','.join(positions)} {LINK_STYLES[name]}")
    return lines
