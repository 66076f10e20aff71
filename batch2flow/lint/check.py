"""Run every rule over one analysis: the single path lint and graph report through."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import cast

from batch2flow import diagnostics as diag
from batch2flow.forked import Forked
from batch2flow.ir import Graph
from batch2flow.lint.context import LintContext
from batch2flow.lint.model import Finding, Rule
from batch2flow.lint.registry import all_rules
from batch2flow.lint.suppress import unsuppressed
from batch2flow.parsing import ParsedFile
from batch2flow.ruby.index import CodeIndex
from batch2flow.scanner import SourceFile

#: below this many files walked, forking costs more than running the rules here does
FORK_FROM_FILES = 100


def start_graph_free(index: CodeIndex, files: list[ParsedFile], paths: list[str], read: list[ParsedFile],
                     gems: frozenset[str]) -> Forked[dict[str, list[Finding]]]:
    """Start the rules that do not read the graph (most of lint's time) in a forked child,
    while this process builds the graph; `lint_analysis(..., early=)` takes their findings.
    Their context has no graph: a rule that reads it anyway fails loudly (RULE_FAILED)."""
    context = LintContext(cast(Graph, _NoGraphYet()), index, tuple(files), gems, tuple(read))
    return Forked(lambda: {code: _findings(code, rule, context, paths)
                           for code, rule in all_rules().items() if not rule.reads_graph})


def lint_analysis(graph: Graph, index: CodeIndex, files: list[ParsedFile], paths: list[str],
                  read: list[ParsedFile], sources: Sequence[SourceFile], gems: frozenset[str],
                  progress: Callable[[int, int], None] | None = None,
                  early: Forked[dict[str, list[Finding]]] | None = None) -> list[Finding]:
    """Every finding: the analysis' diagnostics that no rule owns (unreadable files, syntax
    errors) as they are, and what each rule reports; suppressed ones left out. The rules
    walk the code of `read`; `sources`, every file scanned, hold the suppressing comments;
    `gems`: what the Gemfiles name (lint/gems.py); `progress` hears (rules run, rules).
    `early`: the findings of the rules `start_graph_free` ran already."""
    context = LintContext(graph, index, tuple(files), gems, tuple(read))
    rules = all_rules()
    found = [Finding(d) for d in graph.diagnostics if d.code not in rules]
    # the rules left to run here first, while the child (if any) still runs the others
    mine = [code for code, rule in rules.items() if early is None or rule.reads_graph]
    by_rule: dict[str, list[Finding]] = {}
    for number, code in enumerate(mine):
        if progress is not None:
            progress(number, len(rules))
        by_rule[code] = _findings(code, rules[code], context, paths)
    if early is not None:
        by_rule.update(early.result())
    for code in rules:  # in code order, whoever ran the rule
        found += by_rule[code]
    if progress is not None:
        progress(len(rules), len(rules))
    unique: dict[tuple[str, int, int, str], Finding] = {}
    for item in unsuppressed(found, sources):
        d = item.diagnostic
        unique.setdefault((d.file, d.line, d.col, d.code), item)
    return sorted(unique.values())


def _findings(code: str, rule: Rule, context: LintContext, paths: list[str]) -> list[Finding]:
    """What one rule reports, each with the rule's help where it brings none of its own."""
    found: list[Finding] = []
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
    return found


class _NoGraphYet:
    """The graph of a context whose rules run before the graph is built."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError(f"the rule read graph.{name}, but it runs before the graph is built: "
                           "register it with @rule(..., reads_graph=True)")
