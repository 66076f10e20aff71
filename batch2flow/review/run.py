"""The review as one call: paths and revisions in, a `Review` out."""

from __future__ import annotations

from batch2flow.diagnostics import Severity
from batch2flow.review.compare import WORKTREE, Review, compare
from batch2flow.review.git import find_repository, resolve
from batch2flow.review.revision import read_graph
from batch2flow.scanner import DEFAULT_MAX_BYTES


def review(paths: list[str], base: str, head: str | None, max_bytes: int = DEFAULT_MAX_BYTES) -> Review:
    """Raises ReviewError for what the user can fix (no repository, an unknown revision)."""
    repo = find_repository(paths)
    base_sha, base_label = resolve(repo, base)
    head_sha, head_label = resolve(repo, head) if head is not None else (None, WORKTREE)
    return compare(read_graph(repo, base_sha, max_bytes), read_graph(repo, head_sha, max_bytes),
                   base_label, head_label)


def render(result: Review, output_format: str) -> str:
    if output_format == "json":
        from batch2flow.review.json_out import render_json

        return render_json(result)
    if output_format == "github":
        from batch2flow.review.annotations import render_annotations

        return render_annotations(result)
    from batch2flow.review.markdown import render_markdown

    return render_markdown(result)


def exit_code(result: Review) -> int:
    """1 when the head brings an error-severity diagnostic the base did not have, else 0."""
    return 1 if any(d.severity is Severity.ERROR for d in result.diagnostics_added) else 0
