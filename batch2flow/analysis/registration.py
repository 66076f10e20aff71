"""`batch.on(event, target, options)`: registering a callback, and running it later.

Sidekiq runs a callback once its batch is done, so registration only records it;
`run_pending_callbacks` reads the callback bodies after the code that registered
them, in registration order.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.analysis.context import Context, Frame
from batch2flow.analysis.raising import raise_here, stops_here
from batch2flow.analysis.targets import not_found, resolve_target
from batch2flow.analysis.values import (
    BatchValue,
    HashKey,
    HashValue,
    StatusValue,
    Value,
    through_json,
)
from batch2flow.ir import EVENTS, Callback, Span
from batch2flow.ruby import nodes
from batch2flow.ruby.index import MethodDef
from batch2flow.ruby.nodes import Call

if TYPE_CHECKING:
    from batch2flow.analysis.calls import Calls


def register_callback(interp: Calls, batch: BatchValue, call: Call, ctx: Context,
                      frame: Frame) -> None:
    event = _event(interp, call, ctx, frame)
    if event is None:
        return
    if len(call.args) < 2:
        interp.report(diag.UNRESOLVED_CALLBACK, call.node, frame,
                      f"`on(:{event})` names no callback target")
        return
    target_node = call.args[1]
    target = resolve_target(interp.index, target_node, event, frame)
    placeholder = target.placeholder
    label = target.label if not placeholder else nodes.text(target_node)
    method = None if placeholder else interp.index.find_method(target.klass, target.method, False)
    if placeholder:
        interp.report(diag.DYNAMIC_REFERENCE, target_node, frame,
                      f"callback target `{label}` is only known at run time; "
                      "a placeholder callback stands for it")
    elif method is None:
        interp.report(diag.UNRESOLVED_CALLBACK, call.node, frame,
                      not_found(interp.index, target, frame))
    options_nodes = call.args[2:]
    options = _options(interp, options_nodes, ctx, frame)
    running = ctx.on_stack(label)
    repeats = running[1] if running is not None and running[1] in interp.workflow.callbacks else None
    span = interp.call_site(call.node, frame)
    method_span = _method_span(method)
    callback_id = interp.workflow.add_callback(lambda callback_id: Callback(
        callback_id, batch.batch_id, event, label, span,
        _source_between(frame, options_nodes), ctx.condition_text(),
        placeholder, method_span, repeats, ctx.actor))
    if repeats is not None:
        interp.report(diag.CYCLE, call.node, frame,
                      f"{label} registers itself again from inside its own run; "
                      "drawn as a loop and not followed")
    elif method is not None:
        callback_ctx = Context(status_batch=batch.batch_id, actor=callback_id,
                               conditions=ctx.conditions, fan_out=ctx.fan_out,
                               stack=(*ctx.stack, (label, callback_id)))
        interp.pending.append((method, callback_ctx, options))


def run_pending_callbacks(interp: Calls) -> None:
    while interp.pending:
        method, ctx, options = interp.pending.popleft()
        frame = Frame(method, method.owner, method.cref)
        # Sidekiq calls `meth(status, options)`; options come back from JSON
        received = (StatusValue(), through_json(options))
        for name, value in zip(method.params, received, strict=False):
            frame.locals[name] = value
        with stops_here():  # a callback that raises fails; the other callbacks still run
            interp.run_body(method.body(), ctx, frame)


def _event(interp: Calls, call: Call, ctx: Context, frame: Frame) -> str | None:
    """The event registered for; Sidekiq raises ArgumentError at an unknown one."""
    if not call.args:
        interp.report(diag.UNKNOWN_EVENT, call.node, frame, "`on` without an event")
        raise_here(interp, call.node, ctx, frame,
                   "ArgumentError: wrong number of arguments (given 0, expected 2..3)")
    event = nodes.literal_string(call.args[0])
    if event is None:
        interp.report(diag.DYNAMIC_REFERENCE, call.args[0], frame,
                      f"batch event `{nodes.text(call.args[0])}` is only known at run time")
        return None
    if event not in EVENTS:
        close = difflib.get_close_matches(event, EVENTS, n=1)
        hint = f" (did you mean :{close[0]}?)" if close else ""
        interp.report(diag.UNKNOWN_EVENT, call.args[0], frame,
                      f"unknown batch event :{event}{hint}",
                      help="Sidekiq batches fire :success, :complete and :death; another event "
                           "raises ArgumentError, so nothing after this call runs")
        raise_here(interp, call.node, ctx, frame, f"ArgumentError: Invalid event name: {event}")
    return event


def _options(interp: Calls, option_nodes: tuple[Node, ...], ctx: Context,
             frame: Frame) -> Value:
    if not option_nodes:
        return None
    if option_nodes[0].type == "pair":
        items = [(HashKey(key, symbol), interp.run(value, ctx, frame))
                 for key, symbol, value in nodes.hash_entries(option_nodes) if key is not None]
        return HashValue(tuple(items))
    return interp.run(option_nodes[0], ctx, frame)


def _source_between(frame: Frame, span_nodes: tuple[Node, ...]) -> str | None:
    """The Ruby source from the first node to the last, as written (commas included)."""
    if not span_nodes or frame.method is None:
        return None
    data = frame.method.file.data[span_nodes[0].start_byte : span_nodes[-1].end_byte]
    return data.decode("utf-8", errors="replace")


def _method_span(method: MethodDef | None) -> Span | None:
    if method is None:
        return None
    line, col = method.file.line_col(method.node)
    return Span(method.file.path, line, col)
