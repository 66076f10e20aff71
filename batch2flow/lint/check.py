"""Run every rule over one analysis: the single path lint and graph report through."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace

from batch2flow import diagnostics as diag
from batch2flow.ir import Graph
from batch2flow.lint.context import LintContext
from batch2flow.lint.gems import gems_of
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import all_rules
from batch2flow.lint.suppress import unsuppressed
from batch2flow.parsing import ParsedFile
from batch2flow.ruby.index import CodeIndex
from batch2flow.scanner import SourceFile


def lint_analysis(graph: Graph, index: CodeIndex, files: list[ParsedFile], paths: list[str],
                  read: list[ParsedFile] | None = None, sources: Sequence[SourceFile] = (),
                  progress: Callable[[int, int], None] | None = None) -> list[Finding]:
    """Every finding: the analysis' diagnostics that no rule owns (unreadable files, syntax
    errors) as they are, and what each rule reports; suppressed ones left out. The rules
    walk the code of `read` (default: every file); `sources`, every file scanned, hold the
    suppressing comments (default: the parsed files'); `progress` hears (rules run, rules)."""
    context = LintContext(graph, index, tuple(files), gems_of(paths), None if read is None else tuple(read))
    rules = all_rules()
    found = [Finding(d) for d in graph.diagnostics if d.code not in rules]
    for number, (code, rule) in enumerate(rules.items(), start=1):
        if progress is not None:
            progress(number - 1, len(rules))
        try:
            for item in rule.check(context):
                if not item.diagnostic.help and rule.help:
                    item = replace(item, diagnostic=replace(item.diagnostic, help=rule.help))
                found.append(item)
        except Exception as error:  # one rule's bug must not cost the tree its other findings
            if os.environ.get("BATCH2FLOW_DEBUG"):
                raise
            where = paths[0] if paths else "."
            found.append(Finding(diag.make(
                diag.RULE_FAILED, where, 1, 1,
                f"lint rule {code} failed here with {type(error).__name__}: {error}; its findings are "
                "missing (rerun with BATCH2FLOW_DEBUG=1 and report what it prints)")))
    if progress is not None:
        progress(len(rules), len(rules))
    unique: dict[tuple[str, int, int, str], Finding] = {}
    for item in unsuppressed(found, sources or [f.source for f in files]):
        d = item.diagnostic
        unique.setdefault((d.file, d.line, d.col, d.code), item)
    return sorted(unique.values())
