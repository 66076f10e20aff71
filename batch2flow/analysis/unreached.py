"""Files that build a batch no workflow reaches: each gets a diagnostic saying why, so a
workflow the reader missed is never dropped without a word.

A file counts as reached when some workflow holds a node there (a batch, a job, a
callback or its method, a start). Otherwise its first `Batch.new` is reported, with the
likeliest reason read off the code around it.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.analysis.lexical import callback_targets
from batch2flow.diagnostics import Diagnostic
from batch2flow.ir import Span, Workflow
from batch2flow.parsing import ParsedFile
from batch2flow.ruby import nodes
from batch2flow.ruby.index import CodeIndex

#: what building or reopening a batch looks like, whatever the gem
BUILDS_A_BATCH = re.compile(rb"\b(?:Sidekiq::)?Batch\.new\b")
_DEFS = ("method", "singleton_method")
_TEST_FOLDERS = ("spec/", "test/")


def unreached_batches(files: list[ParsedFile], workflows: list[Workflow],
                      index: CodeIndex) -> list[Diagnostic]:
    reached = {span.file for wf in workflows for span in _spans(wf)}
    callbacks: set[str] | None = None
    found = []
    for parsed in files:
        if parsed.path in reached:
            continue
        calls = (_call_around(parsed.tree.root_node.descendant_for_byte_range(m.start(), m.end()))
                 for m in BUILDS_A_BATCH.finditer(parsed.data))
        call = next((c for c in calls if c is not None), None)  # not one in a comment or a string
        if call is None:
            continue
        if callbacks is None:
            callbacks = callback_targets(index)
        line, col = parsed.line_col(call)
        test = parsed.path.startswith(_TEST_FOLDERS) or "/spec/" in parsed.path or "/test/" in parsed.path
        why = _why(call, callbacks, test)
        found.append(diag.make(diag.UNREACHED_BATCH, parsed.path, line, col,
                               f"builds or reopens a batch that no workflow reaches: {why}",
                               "start the workflow from a method the tree calls, or name the class and "
                               "method directly (a `send` or a string the reader cannot follow)"))
    return found


def _spans(wf: Workflow) -> list[Span]:
    spans: list[Span] = [wf.entry, *(b.span for b in wf.batches), *(j.span for j in wf.jobs),
                           *(c.span for c in wf.callbacks), *(s.span for s in wf.starts)]
    return spans + [c.method_span for c in wf.callbacks if c.method_span is not None]


def _call_around(node: Node | None) -> Node | None:
    while node is not None and node.type != "call":
        if node.type in ("comment", "string_content", "heredoc_content"):
            return None
        node = node.parent
    return node


def _why(call: Node, callbacks: set[str], test: bool) -> str:
    if test:
        return "it is in a test"
    method = call.parent
    while method is not None and method.type not in _DEFS:
        method = method.parent
    reopen = bool(nodes.as_call(call) and nodes.as_call(call).args)  # type: ignore[union-attr]
    if method is None:
        dsl = _class_level_block(call)
        if dsl is not None:
            return f"it is in the block of `{dsl}` in a class body, which the reader does not follow"
        return "it runs when the file is loaded, outside every method, task and script the reader follows"
    name_node = method.child_by_field_name("name")
    name = nodes.text(name_node) if name_node is not None else "?"
    if any(label.endswith(f"#{name}") for label in callbacks):
        return f"`{name}` is a batch callback no workflow the reader followed registers"
    if reopen:
        return (f"`{name}` reopens a batch by a bid it is given, and nothing that starts a workflow "
                "calls it (a cleanup, a status check, or a call the reader cannot follow)")
    return f"nothing that starts a workflow calls `{name}` in a way the reader can follow"


def _class_level_block(node: Node) -> str | None:
    """`before_update do ... end`, `scope :x, -> { ... }`: the receiverless call whose block
    holds `node`, when no method holds it."""
    above = node.parent
    while above is not None:
        if above.type in ("block", "do_block", "lambda") and above.parent is not None:
            call = nodes.as_call(above.parent) if above.parent.type == "call" else None
            if call is not None and call.receiver is None:
                return call.method
        above = above.parent
    return None
