"""Run every rule over one analysis: the single path lint and graph report through."""

from __future__ import annotations

from dataclasses import replace

from batch2flow.ir import Graph
from batch2flow.lint.context import LintContext
from batch2flow.lint.gems import gems_of
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import all_rules
from batch2flow.lint.suppress import unsuppressed
from batch2flow.parsing import ParsedFile
from batch2flow.ruby.index import CodeIndex


def lint_analysis(graph: Graph, index: CodeIndex, files: list[ParsedFile],
                  paths: list[str]) -> list[Finding]:
    """Every finding: the analysis' diagnostics that no rule owns (unreadable files, syntax
    errors) as they are, and what each rule reports; suppressed ones left out."""
    context = LintContext(graph, index, tuple(files), gems_of(paths))
    rules = all_rules()
    found = [Finding(d) for d in graph.diagnostics if d.code not in rules]
    for rule in rules.values():
        for item in rule.check(context):
            if not item.diagnostic.help and rule.help:
                item = replace(item, diagnostic=replace(item.diagnostic, help=rule.help))
            found.append(item)
    unique: dict[tuple[str, int, int, str], Finding] = {}
    for item in unsuppressed(found, context.files):
        d = item.diagnostic
        unique.setdefault((d.file, d.line, d.col, d.code), item)
    return sorted(unique.values())
