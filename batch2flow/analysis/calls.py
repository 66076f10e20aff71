"""What calls mean to Sidekiq: batches, enqueues, callbacks, and plain method calls
that are followed into their definitions."""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.analysis.builder import DiagnosticSink, WorkflowBuilder
from batch2flow.analysis.class_lists import class_items
from batch2flow.analysis.context import Block, Context, Frame
from batch2flow.analysis.interpreter import ControlFlow
from batch2flow.analysis.lexical import builds_a_batch, sent
from batch2flow.analysis.other_work import Watcher
from batch2flow.analysis.raising import pushes_nothing_if_raised, stops_here
from batch2flow.analysis.registration import register_callback
from batch2flow.analysis.stored_bids import StoredBids
from batch2flow.analysis.values import (
    BatchValue,
    BidValue,
    ConstValue,
    NilValue,
    StatusValue,
    Value,
)
from batch2flow.analysis.workers import BULK_METHODS, Enqueue, as_enqueue, resolve_worker
from batch2flow.ir import Job, Loop, Span, Start
from batch2flow.ruby import nodes
from batch2flow.ruby.index import CodeIndex, MethodDef
from batch2flow.ruby.nodes import Call

#: methods and jobs followed one inside another; real call chains nest a few, and each
#: level costs the reading a dozen Python frames (a thousand is Python's limit)
MAX_CALL_DEPTH = 32
#: iterating calls: what their block enqueues happens once per element
LOOP_METHODS = frozenset({
    "each", "find_each", "find_in_batches", "in_batches", "each_slice", "each_with_index",
    "each_with_object", "times", "map", "flat_map", "upto", "downto", "each_key",
    "each_value", "each_pair", "each_batch", "loop", "step", "collect",
})


class Calls(ControlFlow):
    def __init__(self, index: CodeIndex, sink: DiagnosticSink,
                 starters: dict[str, str], workflow: WorkflowBuilder, starter: MethodDef) -> None:
        self.index = index
        self.sink = sink
        #: starter method label -> workflow name
        self.starters = starters
        self.workflow = workflow
        self.starter = starter
        #: callbacks registered but not yet run: Sidekiq runs them once their batch is done
        self.pending: deque[tuple[MethodDef, Context, Value]] = deque()
        #: starters this workflow ran inside a jobs block (their batches are children here)
        self.nested_starters: set[str] = set()
        self.stored_bids = StoredBids()
        self.watcher = Watcher(workflow)
        #: methods and performs being read one inside another right now (Python's nesting,
        #: which a callback, read after its registration, does not add to)
        self.nesting = 0

    # -- helpers -------------------------------------------------------------------
    def span(self, node: Node, frame: Frame) -> Span:
        assert frame.method is not None
        line, col = frame.method.file.line_col(node)
        return Span(frame.method.file.path, line, col)

    def call_site(self, node: Node, frame: Frame) -> Span:
        """Where Ruby says a call is: the line of its method name. Ruby's backtraces name it
        (`W\\n  .set(queue: "x")\\n  .perform_async(1)` is on its third line), and the bridge's
        recorder reports each enqueue, callback and batch at the line its backtrace gives,
        which the flow matches against this one."""
        method = node.child_by_field_name("method") if node.type == "call" else None
        return self.span(method if method is not None else node, frame)

    def too_deep(self, node: Node, frame: Frame) -> bool:
        """Whether the call at `node` is one too many inside others to be followed (each
        costs Python frames; real code nests a few): then it is reported and not followed."""
        if self.nesting < MAX_CALL_DEPTH:
            return False
        self.report(diag.WORKFLOW_TOO_LARGE, node, frame,
                    f"`{_short(node)}` is a call {MAX_CALL_DEPTH} deep inside others: not followed further")
        return True

    def run_nested(self, body: list[Node], ctx: Context, frame: Frame) -> Value:
        """`run_body` of a method or perform called from the one being read."""
        self.nesting += 1
        try:
            return self.run_body(body, ctx, frame)
        finally:
            self.nesting -= 1

    def report(self, code: diag.Code, node: Node, frame: Frame, message: str,
               help: str = "") -> None:
        span = self.span(node, frame)
        self.sink.add(diag.make(code, span.file, span.line, span.col, message, help))

    # -- values ------------------------------------------------------------------------
    def constant(self, node: Node, frame: Frame) -> Value:
        name = nodes.constant_name(node)
        return ConstValue(self.index.qualify(name, frame.cref)) if name else None

    def assign(self, node: Node, ctx: Context, frame: Frame) -> Value:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        value = self.run(right, ctx, frame) if right is not None else None
        if left is None:
            return value
        if left.type == "call":
            call = nodes.as_call(left)
            holder = self.run(call.receiver, ctx, frame) if call and call.receiver else None
            if call is not None and isinstance(holder, BatchValue):
                self._set_batch_attribute(holder, call.method, right)
                return value
            if call is not None and call.receiver is not None:
                self.stored_bids.write(call.method, value)  # `record.batch_id = batch.bid`
        if left.type in ("identifier", "instance_variable", "call"):
            frame.assign(nodes.text(left), value)
        return value

    def _set_batch_attribute(self, batch: BatchValue, attribute: str, right: Node | None) -> None:
        if attribute in ("description", "callback_queue") and right is not None:
            text = nodes.literal_string(right)
            if text is not None:
                self.workflow.set_batch_attribute(batch.batch_id, attribute, text)
                return
            # interpolated: shown as written, without the quotes; the flow translates the Ruby
            raw = nodes.text(right)
            shown = raw[1:-1] if right.type == "string" and len(raw) >= 2 else raw
            self.workflow.set_batch_attribute(batch.batch_id, attribute, shown, raw)

    # -- calls -------------------------------------------------------------------------
    def call(self, node: Node, ctx: Context, frame: Frame) -> Value:
        call = nodes.as_call(node)
        if call is None:
            return None
        call = sent(call)
        stored, value = _stored_value(node, call, frame)
        if stored:
            return value
        if call.method == "new" and _is_batch_class(call.receiver):
            return self.new_batch(call, ctx, frame)
        if self._is_attribute_read(call, frame):
            return frame.lookup("@" + call.method)
        if self._is_own_batch_call(call, frame):
            batch = self.own_batch(node, ctx, frame)
            if call.method == "bid" and isinstance(batch, BatchValue):
                return BidValue(batch.batch_id)
            return batch
        enqueue = as_enqueue(call)
        if enqueue is not None:
            self.enqueue(call, enqueue, ctx, frame)
            return None
        return self._method_call(call, ctx, frame)

    def _is_attribute_read(self, call: Call, frame: Frame) -> bool:
        """A bare `batch` in a class with `attr_accessor :batch` reads `@batch`."""
        return (
            call.receiver is None and not call.args
            and self.index.has_attribute(frame.self_class, call.method)
        )

    def _is_own_batch_call(self, call: Call, frame: Frame) -> bool:
        """A bare `batch` / `bid` inside a job: the Sidekiq helpers, unless the class
        defines a method of that name itself."""
        return (
            call.receiver is None and not call.args and call.method in ("batch", "bid")
            and self.index.find_method(frame.self_class, call.method, frame.singleton) is None
        )

    def _method_call(self, call: Call, ctx: Context, frame: Frame) -> Value:
        receiver = self._receiver_value(call, ctx, frame)
        if isinstance(receiver, BatchValue):
            return self.batch_method(receiver, call, ctx, frame)
        if isinstance(receiver, StatusValue):
            return self.status_method(call, ctx)
        if self._is_block_call(call, frame):
            return self.run_block(frame, call.node, ctx)
        stored = self.stored_bids.read(call)
        if stored is not None:
            return stored
        self.stored_bids.write_call(call, lambda node: self.run(node, ctx, frame))
        args = [self.run(arg, ctx, frame) for arg in call.args if arg.type != "block_argument"]
        target = self._resolve_method(call, frame, receiver)
        block = self._block_given(call, frame)
        returned = self.invoke(target, call, args, ctx, frame, block) if target is not None else None
        if block is not None and (block.used or block.frame is not frame):
            return returned  # the method ran it where it yields; a forwarded one is its caller's
        if call.block is None:
            return returned
        params = nodes.block_params(call.block)
        classes = class_items(self.index, call, frame) if call.method in LOOP_METHODS else None
        if classes is not None:  # `[AWorker, BWorker].each { |w| w.perform_async }`: each class
            for klass in classes[0]:
                bound: list[Value] = [None, ConstValue(klass)] if classes[1] else [ConstValue(klass)]
                with frame.block_locals(params, bound):
                    self.run_body(nodes.block_body(call.block), ctx, frame)
            return returned
        with frame.block_locals(params):
            if call.method in LOOP_METHODS:
                loop = Loop(call.method, nodes.text(call.receiver) if call.receiver else "", tuple(params),
                            ctx.condition_text(), ctx.open_batch)
                with stops_here():  # an empty collection never runs the block
                    self.run_body(nodes.block_body(call.block), replace(ctx, fan_out=True, loop=loop),
                                  frame)
            else:
                self.run_body(nodes.block_body(call.block), ctx, frame)
        return returned

    def _block_given(self, call: Call, frame: Frame) -> Block | None:
        """The block a call passes: written at the call (`with_batch do ... end`), or this
        method's own handed on (`with_batch(&block)`, `with_batch(&)`)."""
        if call.block is not None:
            return Block(call.block, frame)
        if any(_names_block(arg, frame) for arg in call.args):
            return frame.block
        return None

    def _is_block_call(self, call: Call, frame: Frame) -> bool:
        """`block.call(...)` on the method's own `&block`."""
        return (call.method == "call" and call.receiver is not None and frame.block_name != ""
                and nodes.text(call.receiver) == frame.block_name)

    def _receiver_value(self, call: Call, ctx: Context, frame: Frame) -> Value:
        if call.receiver is not None:
            return self.run(call.receiver, ctx, frame)
        return None

    def _resolve_method(self, call: Call, frame: Frame, value: Value = None) -> MethodDef | None:
        receiver = call.receiver
        if receiver is None or receiver.type == "self":
            if call.method in ("batch", "bid"):
                return None
            return self.index.find_method(frame.self_class, call.method, frame.singleton)
        if isinstance(value, ConstValue):  # a class held in a variable: `klass.start(id)`
            return self.index.find_method(value.name, call.method, True)
        if nodes.text(receiver) == "self.class":
            return self.index.find_method(frame.self_class, call.method, True)
        name = nodes.constant_name(receiver)
        if name is not None:
            owner = self.index.resolve(name, frame.cref)
            return self.index.find_method(owner, call.method, True) if owner else None
        inner = nodes.as_call(receiver) if receiver.type == "call" else None
        if inner is not None and inner.method == "new":
            owner_name = nodes.constant_name(inner.receiver)
            owner = self.index.resolve(owner_name, frame.cref) if owner_name else None
            return self.index.find_method(owner, call.method, False) if owner else None
        return None

    def invoke(self, target: MethodDef, call: Call, args: list[Value], ctx: Context,
               frame: Frame, block: Block | None = None) -> Value:
        """Follow a plain method call into its definition, with the block it is given, and
        return what it returns; or link the workflow it starts."""
        if target.label in self.starters and ctx.open_batch is None:
            self.start_workflow(target, call.node, ctx, frame, call.args)
            return None
        if ctx.on_stack(target.label) is not None:
            return None  # recursion: the body is already being read further up
        if self.too_deep(call.node, frame):
            return None
        if target.label in self.starters:
            self.nested_starters.add(target.label)
        same_object = call.receiver is None or call.receiver.type == "self"
        block_name = next((name for name, kind in zip(target.params, target.param_kinds, strict=False)
                           if kind == "block"), "")
        callee = Frame(target, target.owner, target.cref,
                       ivars=frame.ivars if same_object else {}, block=block, block_name=block_name)
        _bind(callee, tuple(n for n, k in zip(target.params, _kinds(target), strict=True) if k != "block"),
              args)
        inner = replace(ctx, stack=(*ctx.stack, (target.label, ctx.actor)))
        given = self.bind_keywords(callee, call, ctx, frame)
        self.bind_batch_defaults(callee, inner, given | set(target.params[:len(args)]))
        return self.run_nested(target.body(), inner, callee)

    def bind_keywords(self, callee: Frame, call: Call, ctx: Context, frame: Frame) -> set[str]:
        """`later(batch: b)`: each keyword the call names, bound to its value; the names."""
        assert callee.method is not None
        keywords = {n for n, k in zip(callee.method.params, _kinds(callee.method), strict=True)
                    if k in ("key", "keyreq")}
        named = set()
        for key, _, value in nodes.hash_entries(tuple(a for a in call.args if a.type == "pair")):
            if key in keywords:
                callee.locals[key] = self.run(value, ctx, frame)
                named.add(key)
        return named

    def bind_batch_defaults(self, callee: Frame, ctx: Context, given: set[str]) -> None:
        """`def run(batch: Sidekiq::Batch.new)`: a parameter the call leaves out whose
        default builds a batch gets that batch, built where the method runs."""
        method = callee.method
        assert method is not None
        for name, default in zip(method.params, method.param_defaults, strict=False):
            if name not in given and default is not None and builds_a_batch(default):
                callee.locals[name] = self.run(default, ctx, callee)

    def start_workflow(self, target: MethodDef, node: Node, ctx: Context, frame: Frame,
                       arg_nodes: tuple[Node, ...]) -> None:
        name = self.starters[target.label]
        restart = target.label == self.starter.label
        if restart:
            self.report(diag.CYCLE, node, frame,
                        f"`{_short(node)}` starts workflow {name} again from inside it; "
                        "drawn as a loop and not followed")
        span = self.span(node, frame)
        args = tuple(nodes.text(a) for a in arg_nodes)
        self.workflow.add_start(lambda start_id: Start(
            start_id, name, span, ctx.actor, ctx.condition_text(), restart, args))

    # -- enqueues ----------------------------------------------------------------------
    def enqueue(self, call: Call, enqueue: Enqueue, ctx: Context, frame: Frame) -> None:
        worker = resolve_worker(enqueue.worker_node, frame, self.index)
        if worker.dynamic:
            self.report(diag.DYNAMIC_REFERENCE, enqueue.worker_node or call.node, frame,
                        f"worker class `{worker.name}` is only known at run time; "
                        "a placeholder job stands for it",
                        help="name the worker class directly so the workflow can be followed")
        args = [self.run(arg, ctx, frame) for arg in enqueue.args]
        perform = None if worker.dynamic else self.index.find_method(worker.name, "perform", False)
        again = ctx.on_stack(perform.label) if perform is not None else None
        if again is not None and again[1] in self.workflow.jobs:
            # a job that enqueues its own worker again: one node, many runs
            self.workflow.mark_fan_out(again[1])
            return
        if not worker.dynamic and self.index.worker_kind(worker.name) is None:
            self.report(diag.UNKNOWN_WORKER, call.node, frame,
                        f"worker class `{worker.name}` is not defined as a job in the scanned files")
        fan_out = ctx.fan_out or enqueue.via in BULK_METHODS
        loop = ctx.loop
        if enqueue.via in BULK_METHODS:
            loop = Loop(enqueue.via, " ".join(nodes.text(a) for a in enqueue.args), (), ctx.condition_text(),
                        ctx.open_batch)
        span = self.call_site(call.node, frame)
        job_id = self.workflow.add_job(lambda job_id: Job(
            job_id, worker.name, span, enqueue.via, ctx.open_batch, fan_out,
            ctx.condition_text(), ctx.actor, worker.dynamic,
            _argument_sources(enqueue.args), loop,
            nodes.text(enqueue.delay) if enqueue.delay is not None else None))
        if perform is None or self.too_deep(call.node, frame):
            return
        job_ctx = Context(own_batch=ctx.open_batch, actor=job_id, conditions=ctx.conditions,
                          fan_out=fan_out, stack=(*ctx.stack, (perform.label, job_id)))
        if perform.label in self.starters:
            self.start_workflow(perform, call.node, job_ctx, frame, enqueue.args)
            return
        performer = Frame(perform, perform.owner, perform.cref)
        _bind(performer, perform.params, args)
        changes = self.workflow.changes
        self.watcher.watch(performer)
        with stops_here():  # a job that raises fails; its enqueuer went on long before
            self.run_nested(perform.body(), job_ctx, performer)
        other = self.watcher.done(performer)
        if other and self.workflow.changes != changes:  # it orchestrated, and did more
            self.workflow.set_other_work(job_id, other)

    # -- batches -----------------------------------------------------------------------
    def new_batch(self, call: Call, ctx: Context, frame: Frame) -> Value:
        span = self.call_site(call.node, frame)
        if not call.args:
            return BatchValue(self.workflow.new_batch(span, ctx.open_batch, ctx.actor, _per_item(ctx)))
        bid = self.run(call.args[0], ctx, frame)
        if isinstance(bid, BidValue) and bid.batch_id is not None:
            return BatchValue(bid.batch_id)
        if isinstance(bid, BidValue):
            message = (f"`{nodes.text(call.args[0])}` is nil here (the batch has no parent), "
                       "so this creates a new batch instead of reopening one")
        elif isinstance(bid, NilValue):
            message = (f"`{nodes.text(call.args[0])}` is nil here ({bid.why}), "
                       "so this creates a new batch instead of reopening one")
        else:
            message = (f"cannot tell which batch `{nodes.text(call.args[0])}` refers to; "
                       "read as a new batch")
        self.report(diag.UNKNOWN_BATCH, call.node, frame, message)
        return BatchValue(self.workflow.new_batch(span, ctx.open_batch, ctx.actor, _per_item(ctx)))

    def batch_method(self, batch: BatchValue, call: Call, ctx: Context, frame: Frame) -> Value:
        if call.method == "jobs":
            inside = replace(ctx, open_batch=batch.batch_id)
            with pushes_nothing_if_raised(self):
                if call.block is not None:
                    self.run_body(nodes.block_body(call.block), inside, frame)
                elif any(_names_block(arg, frame) for arg in call.args):
                    self.run_block(frame, call.node, inside)  # `jobs(&block)`: the caller's block
            return None
        if call.method == "on":
            register_callback(self, batch, call, ctx, frame)
            return None
        if call.method == "bid":
            return BidValue(batch.batch_id)
        if call.method == "parent_bid":
            return BidValue(self.workflow.parent_of(batch.batch_id))
        return None

    def status_method(self, call: Call, ctx: Context) -> Value:
        if ctx.status_batch is None:
            return None
        if call.method == "parent_bid":
            return BidValue(self.workflow.parent_of(ctx.status_batch))
        if call.method == "bid":
            return BidValue(ctx.status_batch)
        return None

    def own_batch(self, node: Node, ctx: Context, frame: Frame) -> Value:
        if ctx.own_batch is None:
            self.report(diag.BATCH_OUTSIDE_BATCH, node, frame,
                        "`batch` is nil here: this job is not enqueued inside a batch")
            return None
        return BatchValue(ctx.own_batch)


def _stored_value(node: Node, call: Call, frame: Frame) -> tuple[bool, Value]:
    """A local variable, or an attribute assigned earlier (`self.batch`, `@import.batch`)."""
    if node.type == "identifier" and frame.has_local(call.method):
        return True, frame.lookup(call.method)
    if call.args or call.block is not None:
        return False, None
    text = nodes.text(node)
    if text.startswith(("self.", "@")) and frame.lookup(text) is not None:
        return True, frame.lookup(text)
    return False, None


def _argument_sources(args: tuple[Node, ...]) -> tuple[str, ...]:
    """Ruby source per argument; trailing `key: value` pairs are one hash argument,
    which is how Ruby passes them (and how Sidekiq serialises them)."""
    plain = [nodes.text(a) for a in args if a.type != "pair"]
    pairs = [nodes.text(a) for a in args if a.type == "pair"]
    return tuple(plain + ([f"{{{', '.join(pairs)}}}"] if pairs else []))


def _bind(frame: Frame, params: tuple[str, ...], args: list[Value]) -> None:
    # extra or missing arguments are fine: Ruby code here may use defaults and splats
    for name, value in zip(params, args, strict=False):
        frame.locals[name] = value


def _kinds(method: MethodDef) -> tuple[str, ...]:
    return method.param_kinds or ("req",) * len(method.params)


def _names_block(arg: Node, frame: Frame) -> bool:
    """`&block` naming this method's block parameter, or a bare `&` (Ruby 3.1)."""
    if arg.type != "block_argument":
        return False
    named = arg.named_children
    return not named or (frame.block_name != "" and nodes.text(named[0]) == frame.block_name)


def _is_batch_class(node: Node | None) -> bool:
    name = nodes.constant_name(node)
    return name is not None and name.removeprefix("::") == "Sidekiq::Batch"


def _short(node: Node) -> str:
    text = " ".join(nodes.text(node).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _per_item(ctx: Context) -> Loop | None:
    """The loop a batch built here is made once per item of: one begun inside the jobs
    block the batch is built in (a loop around that block makes the parent per item)."""
    if ctx.fan_out and ctx.loop is not None and ctx.loop.batch == ctx.open_batch:
        return ctx.loop
    return None
