"""Which statements of a job's perform do something other than orchestrate.

A worker whose perform builds batches and enqueues jobs is retired in the flow: the
flow does that now. If the same perform also writes a record or logs, the flow does
not do that, and must say so. While a perform runs, each of its statements (in its
own body and in the blocks and branches of that body) is watched: one that added or
changed no node of the workflow and gave no batch or bid is other work. A helper
method it calls counts as one statement, judged as a whole.
"""

from __future__ import annotations

import textwrap

from tree_sitter import Node

from batch2flow.analysis.builder import WorkflowBuilder
from batch2flow.analysis.conditions import early_exit_guard
from batch2flow.analysis.context import Frame
from batch2flow.analysis.values import BatchValue, BidValue, Value
from batch2flow.ir import RubyStatement, Span

#: (changes of the workflow, statements found so far) before a watched statement runs
Mark = tuple[int, int]

#: not work a flow could run: definitions, comments, and clauses read as their parts
_NOT_WORK = frozenset({
    "method", "singleton_method", "class", "module", "singleton_class", "comment",
    "heredoc_body", "heredoc_beginning", "empty_statement",
})


class Watcher:
    def __init__(self, workflow: WorkflowBuilder) -> None:
        self.workflow = workflow
        #: id of a watched frame -> the statements found in it that did other work
        self.found: dict[int, list[Node]] = {}

    def watch(self, frame: Frame) -> None:
        self.found[id(frame)] = []

    def before(self, frame: Frame) -> Mark | None:
        found = self.found.get(id(frame))
        return None if found is None else (self.workflow.changes, len(found))

    def after(self, frame: Frame, statement: Node, mark: Mark | None, value: Value) -> None:
        if mark is None:
            return
        found = self.found[id(frame)]
        changes, count = mark
        if self.workflow.changes != changes or isinstance(value, (BatchValue, BidValue)):
            return
        if statement.type in _NOT_WORK or early_exit_guard(statement) is not None:
            return  # a guard (`return unless x`) is control flow: the flow keeps its condition
        del found[count:]  # the statements inside it are covered by it
        found.append(statement)

    def done(self, frame: Frame) -> tuple[RubyStatement, ...]:
        statements = self.found.pop(id(frame), [])
        if frame.method is None:
            return ()
        parsed = frame.method.file
        out = []
        for statement in statements:
            line, col = parsed.line_col(statement)
            ruby = textwrap.dedent(" " * (col - 1) + parsed.text(statement))
            out.append(RubyStatement(Span(parsed.path, line, col), ruby))
        return tuple(out)
