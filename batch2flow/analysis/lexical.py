"""Facts read straight off the source, before any interpretation: which methods are
batch callbacks and which ones start a workflow."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterator

from tree_sitter import Node

from batch2flow.ir import EVENTS
from batch2flow.ruby import nodes
from batch2flow.ruby.index import CodeIndex, MethodDef

_NOT_CODE = frozenset({"method", "singleton_method", "class", "module", "singleton_class"})


def walk_calls(node: Node, inside_jobs: bool = False) -> Iterator[tuple[Node, bool]]:
    """Every call below `node` with whether it sits inside a batch `jobs` block, in source
    order (a block's receiver and arguments before the block)."""
    # a stack of what is left to read, next on top: ("below", n) reads n's children,
    # ("child", n) one child (skipped when no code runs there), ("at", n) n itself and below
    stack: list[tuple[str, Node, bool]] = [("below", node, inside_jobs)]
    while stack:
        what, current, inside = stack.pop()
        if what == "below":
            stack += [("child", child, inside) for child in reversed(current.named_children)]
            continue
        if what == "child" and current.type in _NOT_CODE:
            continue
        if current.type == "call":
            yield current, inside
        call = nodes.as_call(current) if what == "child" and current.type == "call" else None
        if call is None or call.block is None:
            stack.append(("below", current, inside))
            continue
        stack.append(("below", call.block, inside or call.method == "jobs"))
        given = [inner for inner in (call.receiver, *call.args) if inner is not None]
        stack += [("at", inner, inside) for inner in reversed(given)]


def builds_a_batch(node: Node | None) -> bool:
    """`Sidekiq::Batch.new` with no bid: a new batch, not a reopened one."""
    call = nodes.as_call(node) if node is not None and node.type == "call" else None
    return call is not None and call.method == "new" and not call.args and is_batch_class(call.receiver)


def sent(call: nodes.Call) -> nodes.Call:
    """`send(:name, args)` (or `public_send`, `__send__`) with a literal name is `name(args)`."""
    if call.method not in ("send", "public_send", "__send__") or not call.args:
        return call
    first = call.args[0]
    name = nodes.literal_string(first)
    if name is None or not (nodes.is_symbol(first) or first.type == "string"):
        return call
    return nodes.Call(call.node, call.receiver, name, call.args[1:], call.block)


def is_batch_class(node: Node | None) -> bool:
    name = nodes.constant_name(node)
    return name is not None and name.removeprefix("::") == "Sidekiq::Batch"


def all_methods(index: CodeIndex) -> list[MethodDef]:
    methods = [*index.top_methods.values(), *index.scripts]
    for info in index.classes.values():
        methods.extend(info.methods.values())
        methods.extend(info.singleton_methods.values())
    return methods


def callback_targets(index: CodeIndex) -> set[str]:
    """Labels (`Klass#meth`) of every method some `batch.on(...)` names statically."""
    labels: set[str] = set()
    for method in all_methods(index):
        body = method.body_node()
        # read only bodies that can hold `x.on(...)`: a cheap byte search first
        if body is None or b".on" not in method.file.data[body.start_byte:body.end_byte]:
            continue
        for node, _ in walk_calls(body):
            call = nodes.as_call(node)
            if call is None or call.method != "on" or len(call.args) < 2:
                continue
            labels.update(_target_labels(index, method, call.args[1]))
    return labels


def _target_labels(index: CodeIndex, method: MethodDef, target: Node) -> list[str]:
    written = nodes.literal_string(target)
    if written is not None and "#" in written:
        klass, _, meth = written.partition("#")
        return [f"{index.qualify(klass, method.cref)}#{meth}"]
    if written is not None:
        klass = index.qualify(written, method.cref)
    elif target.type == "call" and nodes.text(target) == "self.class":
        klass = method.owner
    else:
        name = nodes.constant_name(target)
        if name is None:
            return []
        klass = index.qualify(name, method.cref)
    return [f"{klass}#on_{event}" for event in EVENTS]


def creates_outermost_batch(method: MethodDef) -> Node | None:
    """The first `Sidekiq::Batch.new` (no bid) outside every `jobs` block, if any: a
    parameter's default (`batch: Sidekiq::Batch.new`) first."""
    for default in method.param_defaults:
        if builds_a_batch(default):
            return default
    body = method.body_node()
    if body is None or b"Batch" not in method.file.data[body.start_byte:body.end_byte]:
        return None
    for node, inside_jobs in walk_calls(body):
        if not inside_jobs and builds_a_batch(node):
            return node
    return None


#: methods whose name says nothing beyond "run this": the class name alone names the workflow
_GENERIC_ENTRY_NAMES = frozenset({"perform", "call", "start", "run", "execute"})


def workflow_name(method: MethodDef) -> str:
    """snake_case name for the workflow a starter method begins."""
    if not method.owner:
        return _snake(method.name)
    base = _snake(method.owner.replace("::", "_"))
    if method.name in _GENERIC_ENTRY_NAMES:
        return re.sub(r"_(worker|job)$", "", base) or base
    return f"{base}_{_snake(method.name)}"


def _snake(name: str) -> str:
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"[^0-9a-zA-Z_]+", "_", name).strip("_").lower()
    name = re.sub(r"_+", "_", name)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = f"workflow_{name}".rstrip("_")
    return name
