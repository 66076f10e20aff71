"""`review --format markdown`: a pull-request comment.

It starts with a hidden marker, so a bot finds its own comment and edits it instead
of adding one per push. Each changed workflow gets its head chart (added nodes and
edges green, removed ones red, dashed and struck through) and a table of changes;
an unchanged workflow is one line, and a change that touches none says so once.
"""

from __future__ import annotations

from batch2flow.diagnostics import Diagnostic
from batch2flow.render.mermaid import workflow_chart
from batch2flow.review.compare import WORKTREE, Review, WorkflowChange
from batch2flow.review.highlight import marked_workflow
from batch2flow.review.table import change_rows, code
from batch2flow.terminal import visible

MARKER = "<!-- batch2flow-review -->"
LEGEND = "Green: added. Red, dashed and struck through: removed. Amber: fans out now, or no longer."


def render_markdown(review: Review) -> str:
    head = "the work tree" if review.head == WORKTREE else f"`{review.head}`"
    parts = [MARKER, f"## batch2flow review: `{review.base}` → {head}"]
    touched = [change for change in review.workflows if change.status != "unchanged"]
    if touched:
        parts += [_section(change) for change in touched]
        parts += [f"`{change.name}`: unchanged"
                  for change in review.workflows if change.status == "unchanged"]
    else:
        count = len(review.workflows)
        unchanged = f" ({count} unchanged)" if count else ""
        parts.append(f"This change touches no Sidekiq Batch workflow{unchanged}.")
    parts += _diagnostics("Diagnostics introduced", review.diagnostics_added)
    parts += _diagnostics("Diagnostics fixed", review.diagnostics_fixed)
    return "\n\n".join(parts) + "\n"


def _section(change: WorkflowChange) -> str:
    lines = [f"### `{change.name}`: {change.status}"]
    if change.head is not None:
        if change.base is None:
            chart = workflow_chart(change.head)
        else:
            chart = workflow_chart(*marked_workflow(change.base, change.head))
        lines += ["", "```mermaid", chart.rstrip("\n"), "```"]
        if change.base is not None:
            lines += ["", LEGEND]
    rows = change_rows(change)
    if rows:
        lines += ["", "| change | what |", "|---|---|"]
        lines += [f"| {kind} | {what} |" for kind, what in rows]
    return "\n".join(lines)


def _diagnostics(title: str, found: tuple[Diagnostic, ...]) -> list[str]:
    if not found:
        return []
    items = [f"- **{d.severity.value}** {d.code} {code(f'{d.file}:{d.line}:{d.col}')}: {_plain(d.message)}"
             + (f" (help: {_plain(d.help)})" if d.help else "") for d in found]
    return [f"#### {title}", "\n".join(items)]


def _plain(value: str) -> str:
    """Plain text from Ruby or a message, kept from turning into HTML or a table cell break."""
    flat = visible(" ".join(value.split()))
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
