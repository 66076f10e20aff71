"""Inline suppression: `# batch2flow: disable=CODE[,CODE...]` on the line or the line above."""

from __future__ import annotations

import re
from collections.abc import Iterable

from batch2flow.lint.model import Finding
from batch2flow.scanner import SourceFile

_DISABLE = re.compile(r"#\s*batch2flow:\s*disable=([A-Za-z0-9_, ]+)")


def disabled_codes(source: SourceFile) -> dict[int, frozenset[str]]:
    """1-based line -> the codes a comment on it disables."""
    found: dict[int, frozenset[str]] = {}
    # numbered as tree-sitter numbers rows (at "\n" only), as the diagnostics' lines are
    for number, line in enumerate(source.text.split("\n"), start=1):
        match = _DISABLE.search(line)
        if match:
            found[number] = frozenset(c.strip().upper() for c in match.group(1).split(",") if c.strip())
    return found


def unsuppressed(findings: list[Finding], files: Iterable[SourceFile]) -> list[Finding]:
    sources = {source.display: source for source in files}
    tables: dict[str, dict[int, frozenset[str]]] = {}
    kept: list[Finding] = []
    for found in findings:
        path = found.diagnostic.file
        if path not in tables:  # only the files with findings are read for comments
            tables[path] = disabled_codes(sources[path]) if path in sources else {}
        table = tables[path]
        line, code = found.diagnostic.line, found.diagnostic.code
        if code in table.get(line, frozenset()) or code in table.get(line - 1, frozenset()):
            continue
        kept.append(found)
    return kept
