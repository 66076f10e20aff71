"""Parse Ruby source with tree-sitter-ruby and report syntax errors.

tree-sitter recovers from errors, so a file with a broken method still yields a
tree whose valid parts the later stages use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import tree_sitter_ruby
from tree_sitter import Language, Node, Parser, Tree

from batch2flow import diagnostics as diag
from batch2flow import terminal
from batch2flow.diagnostics import Diagnostic
from batch2flow.scanner import SourceFile

#: one broken file should not flood the report
MAX_SYNTAX_ERRORS_PER_FILE = 5


@dataclass(frozen=True)
class ParsedFile:
    source: SourceFile
    data: bytes
    tree: Tree

    @property
    def path(self) -> str:
        return self.source.display

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def line_col(self, node: Node) -> tuple[int, int]:
        """1-based line and character column of a node's start."""
        row, byte_col = node.start_point
        line_start = node.start_byte - byte_col
        col = len(self.data[line_start : node.start_byte].decode("utf-8", errors="replace"))
        return row + 1, col + 1

    def source_line(self, line: int) -> str:
        """Line `line` as tree-sitter counts them (at `\\n` only), or ""."""
        return terminal.source_line(self.source.text, line) or ""


@lru_cache(maxsize=1)
def ruby_language() -> Language:
    return Language(tree_sitter_ruby.language())


def parse(source: SourceFile) -> tuple[ParsedFile, list[Diagnostic]]:
    data = source.text.encode("utf-8")
    tree = Parser(ruby_language()).parse(data)
    parsed = ParsedFile(source, data, tree)
    return parsed, _syntax_errors(parsed)


def parse_snippet(source: str) -> Node | None:
    """The single expression a piece of Ruby holds, or None when it is not exactly one
    well-formed expression."""
    tree = Parser(ruby_language()).parse(source.encode("utf-8"))
    root = tree.root_node
    statements = [c for c in root.named_children if c.type != "comment"]
    if root.has_error or len(statements) != 1:
        return None
    return statements[0]


def _syntax_errors(parsed: ParsedFile) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if not parsed.tree.root_node.has_error:
        return found
    stack = [parsed.tree.root_node]
    while stack and len(found) < MAX_SYNTAX_ERRORS_PER_FILE:
        node = stack.pop()
        if node.is_error or node.is_missing:
            line, col = parsed.line_col(node)
            what = f"missing `{node.type}`" if node.is_missing else _unexpected(parsed, node)
            found.append(diag.make(diag.SYNTAX_ERROR, parsed.path, line, col, f"syntax error: {what}"))
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return sorted(found)


def _unexpected(parsed: ParsedFile, node: Node) -> str:
    snippet = parsed.text(node).strip().splitlines()
    first = snippet[0][:40] if snippet else ""
    return f"unexpected `{first}`" if first else "unexpected end of input"
