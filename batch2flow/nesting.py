"""Files nested deeper than the reading can follow are set aside before anything reads them.

tree-sitter parses any depth, but the analysis reads Ruby the way Ruby runs it: an
expression inside an expression is a Python call inside a call, several frames a level,
and Python stops at about a thousand. Real Ruby stays far from the limit (the deepest of
some 3,400 files of Rails apps and gems is 43 levels of tree-sitter nodes); generated or
hostile files (`[[[[...` thousands deep, a `+` chain of 20,000 terms) do not. Such a file
is skipped with a diagnostic naming it, and the rest of the tree is read as usual.
"""

from __future__ import annotations

from batch2flow import diagnostics as diag
from batch2flow.diagnostics import Diagnostic
from batch2flow.parsing import ParsedFile

#: levels of tree-sitter nodes a file may nest; a few times what real code reaches, and
#: with the frames each level costs, still well inside Python's recursion limit
MAX_NESTING = 160


def too_deep(parsed: ParsedFile, limit: int = MAX_NESTING) -> Diagnostic | None:
    """A diagnostic at the first node deeper than `limit`, or None when there is none."""
    cursor = parsed.tree.walk()
    depth = 0
    # the cursor walks the tree in source order without recursion, and stops at the first
    # node too deep. A node of n nodes (itself included) reaches at most n - 1 levels below
    # it, so a subtree too small to pass the limit is stepped over: most of a file is.
    while True:
        node = cursor.node
        if node is not None and depth + node.descendant_count - 1 > limit and cursor.goto_first_child():
            depth += 1
            if depth > limit and cursor.node is not None:
                line, col = parsed.line_col(cursor.node)
                return diag.make(
                    diag.TOO_DEEP, parsed.path, line, col,
                    f"Ruby nested more than {limit} levels deep here: too deep to read; file skipped",
                    help="a file this deeply nested is usually generated; it holds no workflow "
                         "batch2flow could follow",
                )
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return None
            depth -= 1
