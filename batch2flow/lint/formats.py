"""Lint output: text (for a terminal, on stderr), json (the contract), github (annotations)."""

from __future__ import annotations

import json
from collections.abc import Callable

from batch2flow.lint.model import Finding
from batch2flow.review.annotations import escape_data, escape_property

#: GitHub workflow commands by severity
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def to_json(findings: list[Finding]) -> str:
    document = {"version": 1, "diagnostics": [_entry(f) for f in findings]}
    return json.dumps(document, indent=2) + "\n"


def _entry(found: Finding) -> dict[str, object]:
    return found.diagnostic.to_lint_json(found.fixable)


def to_text(findings: list[Finding], source_line: Callable[[str, int], str | None]) -> str:
    """`path:line:col: CODE message`, the source line with a caret, `help:`; then a count."""
    if not findings:
        return ""
    blocks = [f.diagnostic.format(source_line(f.diagnostic.file, f.diagnostic.line)) for f in findings]
    fixable = sum(f.fixable for f in findings)
    summary = f"{len(findings)} diagnostic{'s' if len(findings) != 1 else ''}"
    if fixable:
        summary += f" ({fixable} fixable with --fix)"
    return "\n".join(blocks) + "\n" + summary + "\n"


def to_github(findings: list[Finding], location: Callable[[str], str]) -> str:
    """One `::warning file=...,line=...::message` workflow command per finding."""
    lines = []
    for found in findings:
        d = found.diagnostic
        properties = (f"file={escape_property(location(d.file))},line={d.line},col={d.col},"
                      f"title={escape_property(d.code)}")
        text = d.message + (f" (help: {d.help})" if d.help else "")
        lines.append(f"::{_GITHUB_LEVEL[d.severity.value]} {properties}::{escape_data(text)}")
    return "".join(line + "\n" for line in lines)
