"""Where the Ruby raises before going on: what runs after, and what is undone.

Sidekiq raises ArgumentError at `batch.on(:sucess, ...)`, so nothing after that call
runs, in that method or in the ones that called it, up to a `rescue`, the end of a
branch or loop the raise sits in (the code after it runs in the runs that skipped
it), or the end of the job or callback: a job that raises fails, and the code that
enqueued it has gone on long ago.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import replace
from typing import TYPE_CHECKING, NoReturn

from tree_sitter import Node

from batch2flow.analysis.context import Context, Frame
from batch2flow.ir import Raise
from batch2flow.ruby import nodes

if TYPE_CHECKING:
    from batch2flow.analysis.calls import Calls


class RubyRaises(Exception):
    """Ruby raises here; the interpreter unwinds to where Ruby would go on."""

    def __init__(self, raised: Raise) -> None:
        super().__init__(raised.error)
        self.raised = raised


def raise_here(interp: Calls, node: Node, ctx: Context, frame: Frame, error: str) -> NoReturn:
    """Record that `node` raises `error` ("ArgumentError: ..."), then unwind."""
    span = interp.span(node, frame)
    ruby = " ".join(nodes.text(node).split())
    raise_id = interp.workflow.add_raise(lambda raise_id: Raise(
        raise_id, span, error, ctx.actor, ctx.condition_text(), ruby))
    raise RubyRaises(interp.workflow.raises[raise_id])


def stops_here() -> AbstractContextManager[None]:
    """Around code a raise ends without ending what comes after it: a branch or a loop
    body (both are read, though only some runs take them), a job's perform, a callback."""
    return suppress(RubyRaises)


@contextmanager
def pushes_nothing_if_raised(interp: Calls) -> Iterator[None]:
    """Around a `jobs` block: Sidekiq Pro pushes the block's jobs when it ends, so a
    block that raises pushed none of them: what the block set in motion is forgotten,
    but for the raise itself."""
    size, pending = interp.workflow.size(), len(interp.pending)
    try:
        yield
    except RubyRaises as error:
        interp.workflow.undo_since(size)
        while len(interp.pending) > pending:
            interp.pending.pop()
        raised = error.raised
        raise_id = interp.workflow.add_raise(lambda raise_id: replace(raised, id=raise_id))
        error.raised = interp.workflow.raises[raise_id]
        raise
