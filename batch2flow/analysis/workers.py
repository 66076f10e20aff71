"""Which worker class an enqueue names, and how it was enqueued."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from batch2flow.analysis.context import Frame
from batch2flow.analysis.values import ConstValue
from batch2flow.ruby import nodes
from batch2flow.ruby.index import CodeIndex
from batch2flow.ruby.nodes import Call

ENQUEUE_METHODS = frozenset({
    "perform_async", "perform_in", "perform_at", "perform_bulk", "perform_later",
})
CLIENT_PUSH_METHODS = frozenset({"push", "push_bulk"})
SEND_METHODS = frozenset({"send", "public_send", "__send__"})
BULK_METHODS = frozenset({"perform_bulk", "push_bulk"})
#: calls that turn a runtime string into a class: the worker is only known at run time
DYNAMIC_CONSTANT_METHODS = frozenset({"constantize", "safe_constantize", "const_get"})


@dataclass(frozen=True)
class Enqueue:
    via: str
    #: the worker expression (the receiver, or the `'class'` value of a client push)
    worker_node: Node | None
    args: tuple[Node, ...]
    #: `perform_in(delay, ...)` / `perform_at(time, ...)`: when the job may start
    delay: Node | None = None


#: enqueues whose first argument is a delay or a time, not a job argument
SCHEDULED_METHODS = frozenset({"perform_in", "perform_at"})


def as_enqueue(call: Call) -> Enqueue | None:
    if call.method in ENQUEUE_METHODS:
        return _scheduled(Enqueue(call.method, call.receiver, call.args))
    if call.method in SEND_METHODS and call.args:
        name = nodes.literal_string(call.args[0])
        if name in ENQUEUE_METHODS:
            return _scheduled(Enqueue(name, call.receiver, call.args[1:]))
        return None
    if call.method in CLIENT_PUSH_METHODS and _is_client(call.receiver):
        pairs = dict(nodes.hash_pairs(call.args))
        return Enqueue(call.method, pairs.get("class"), _pushed_args(call.method, pairs.get("args")))
    return None


def _pushed_args(method: str, args: Node | None) -> tuple[Node, ...]:
    """`'args' => [a, b]` of a push is the job's argument list: its elements are the
    arguments (of a `push_bulk`, the rows of many jobs, kept whole)."""
    if args is None:
        return ()
    if method == "push" and args.type == "array":
        return tuple(child for child in args.named_children if child.type != "comment")
    return (args,)


def _scheduled(enqueue: Enqueue) -> Enqueue:
    if enqueue.via in SCHEDULED_METHODS and enqueue.args:
        return Enqueue(enqueue.via, enqueue.worker_node, enqueue.args[1:], enqueue.args[0])
    return enqueue


def _is_client(node: Node | None) -> bool:
    name = nodes.constant_name(node)
    return name is not None and name.removeprefix("::") == "Sidekiq::Client"


@dataclass(frozen=True)
class WorkerRef:
    name: str
    #: the class is computed at run time; `name` holds the Ruby source
    dynamic: bool
    #: the node to point a diagnostic at
    node: Node | None


def resolve_worker(node: Node | None, frame: Frame, index: CodeIndex) -> WorkerRef:
    """The class a worker expression names: `W`, `W.set(...)`, `self.class`, a variable
    holding a class, a `'class' => 'W'` string; or a dynamic placeholder."""
    if node is None or node.type == "self":
        return WorkerRef(frame.self_class, False, node)
    written = nodes.constant_name(node) or nodes.literal_string(node)
    if written is not None:
        return WorkerRef(index.qualify(written, frame.cref), False, node)
    call = nodes.as_call(node)
    if call is not None and node.type == "call" and (
        call.method == "set" or (call.method == "class" and _is_self(call.receiver))
    ):
        return resolve_worker(call.receiver, frame, index)
    if node.type in ("identifier", "instance_variable"):
        held = frame.lookup(nodes.text(node))
        if isinstance(held, ConstValue):
            return WorkerRef(held.name, False, node)
    return WorkerRef(nodes.text(node), True, node)


def _is_self(node: Node | None) -> bool:
    return node is not None and node.type == "self"
