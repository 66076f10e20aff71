"""What every rule reads: the graph the analysis built, the code index and the parsed trees."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from tree_sitter import Node, Query, QueryCursor, TreeCursor

from batch2flow import diagnostics as diag
from batch2flow.ir import Graph
from batch2flow.lint.model import Edit, Finding
from batch2flow.parsing import ParsedFile, ruby_language
from batch2flow.ruby.index import CodeIndex

T = TypeVar("T")


@dataclass
class LintContext:
    #: the graph as the analysis built it, with the analysis' own diagnostics
    graph: Graph
    index: CodeIndex
    files: tuple[ParsedFile, ...]
    #: gem names the Gemfile / Gemfile.lock in or above the scanned paths mention
    gems: frozenset[str] = frozenset()
    #: the files whose code the rules walk (`nodes`), when not all of `files`: the others
    #: are there for their definitions only (see prefilter.py)
    walked: tuple[ParsedFile, ...] | None = None
    _by_path: dict[str, ParsedFile] = field(default_factory=dict)
    #: what several rules compute alike (every call of the tree), computed once
    _memo: dict[object, Any] = field(default_factory=dict)

    def memo(self, key: object, build: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = build()
        found: T = self._memo[key]
        return found

    def file(self, path: str) -> ParsedFile | None:
        if not self._by_path:
            self._by_path.update((f.path, f) for f in self.files)
        return self._by_path.get(path)

    def nodes(self, types: Iterable[str]) -> list[tuple[ParsedFile, Node]]:
        """Every node of the given types in every file, in source order."""
        wanted = frozenset(types)
        return self.memo(wanted, lambda: self._find(wanted))

    def _find(self, wanted: frozenset[str]) -> list[tuple[ParsedFile, Node]]:
        found: list[tuple[ParsedFile, Node]] = []
        for parsed in self.files if self.walked is None else self.walked:
            found += [(parsed, node) for node in of_types(parsed.tree.root_node, wanted)]
        return found

    def diagnostics(self, code: diag.Code) -> list[diag.Diagnostic]:
        """The analysis' own diagnostics of `code` (for the rules that delegate to it)."""
        return [d for d in self.graph.diagnostics if d.code == code.code]


#: node types the rules look for most (`of_types`)
CALL = frozenset({"call"})
IDENTIFIER = frozenset({"identifier"})
ASSIGNMENT = frozenset({"assignment"})


def of_types(node: Node, types: frozenset[str]) -> list[Node]:
    """`node` and the nodes below it of the given types, in the order `walk` meets them.
    A query finds them in C: walking every node in Python is most of lint's time."""
    hits = QueryCursor(_query(types)).captures(node).get("node", [])
    # source order as a walk meets them: by start, the outer of two that start alike first
    return sorted(hits, key=lambda n: (n.start_byte, -n.end_byte))


@cache
def _query(types: frozenset[str]) -> Query:
    return Query(ruby_language(), "[" + " ".join(f"({kind})" for kind in sorted(types)) + "] @node")


def walk(node: Node) -> Iterator[Node]:
    """`node` and every named node below it, depth first, in source order."""
    yield node
    # a cursor visits the tree without building a list of children at every node
    cursor = node.walk()
    descend = cursor.goto_first_child()
    while descend or _next(cursor, node):
        current = cursor.node
        named = current is not None and current.is_named
        if current is not None and named:
            yield current
        descend = named and cursor.goto_first_child()


def _next(cursor: TreeCursor, root: Node) -> bool:
    """Move to the next node after the cursor's subtree, if it is still below `root`."""
    while not cursor.goto_next_sibling():
        if not cursor.goto_parent() or cursor.node == root:
            return False
    return True


def finding(code: diag.Code, parsed: ParsedFile, node: Node, message: str, help: str = "",
            edits: tuple[Edit, ...] = ()) -> Finding:
    line, col = parsed.line_col(node)
    return Finding(diag.make(code, parsed.path, line, col, message, help), edits)


def replace_node(parsed: ParsedFile, node: Node, text: str) -> Edit:
    return Edit(parsed.path, node.start_byte, node.end_byte, parsed.text(node), text)


def node_at(parsed: ParsedFile, line: int, col: int) -> Node | None:
    """The outermost named node that starts at 1-based `line:col`."""
    for node in walk(parsed.tree.root_node):
        if node.type != "program" and parsed.line_col(node) == (line, col):
            return node
    return None


def ancestors(node: Node) -> Iterator[Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent
