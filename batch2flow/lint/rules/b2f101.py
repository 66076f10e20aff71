"""Unknown batch event.

What it does:
    Finds `batch.on(event, ...)` with an event other than `:success`, `:complete` and
    `:death`, and names the close match.

Why is this bad:
    Sidekiq raises `ArgumentError` at an unknown event, so the callback is never
    registered and nothing after the call runs: not the other callbacks, not the `jobs`
    block that follows.

Example:
    ```ruby
    batch.on(:sucess, ReportCallback)   # ArgumentError: Invalid event name: sucess
    ```
    Use instead:
    ```ruby
    batch.on(:success, ReportCallback)
    ```
    `--fix` writes the close match when there is exactly one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.ir import EVENTS
from batch2flow.lint.context import LintContext, node_at, replace_node
from batch2flow.lint.model import Edit, Finding
from batch2flow.lint.registry import rule
from batch2flow.parsing import ParsedFile
from batch2flow.ruby import nodes

HELP = "Sidekiq batches fire :success, :complete and :death; another event raises ArgumentError"


@rule(diag.UNKNOWN_EVENT, help=HELP, fixable=True, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    for found in ctx.diagnostics(diag.UNKNOWN_EVENT):
        parsed = ctx.file(found.file)
        edit = _fix(parsed, found.line, found.col) if parsed is not None else None
        yield Finding(found, (edit,) if edit is not None else ())


def _fix(parsed: ParsedFile, line: int, col: int) -> Edit | None:
    """The event rewritten to its one close match, keeping its form (`:x`, `'x'`, `"x"`)."""
    node = node_at(parsed, line, col)
    event = nodes.literal_string(node)
    if node is None or event is None:
        return None
    close = difflib.get_close_matches(event, EVENTS, n=len(EVENTS))
    if len(close) != 1:
        return None
    if node.type == "simple_symbol":
        return replace_node(parsed, node, f":{close[0]}")
    content = [c for c in node.named_children if c.type == "string_content"]
    if node.type == "string" and len(content) == 1:
        return replace_node(parsed, content[0], close[0])
    return None
