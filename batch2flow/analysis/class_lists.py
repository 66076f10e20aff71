"""Worker classes held in a literal collection and iterated: `[AWorker, BWorker].each`,
`STEPS.each` where `STEPS = [...].freeze`, `{ a: AWorker }.each_value`. The block runs once
per class, with its parameter bound to that class, so each enqueue names a known worker."""

from __future__ import annotations

from tree_sitter import Node

from batch2flow.analysis.context import Frame
from batch2flow.ruby import nodes
from batch2flow.ruby.index import CodeIndex
from batch2flow.ruby.nodes import Call

#: iterating a hash hands the block (key, value); these methods hand it the value alone
_VALUES = frozenset({"each_value"})
_PAIRS = frozenset({"each", "each_pair", "each_with_index"})


def class_items(index: CodeIndex, call: Call, frame: Frame) -> tuple[list[str], bool] | None:
    """The qualified classes `call` iterates, and whether they are a hash's values (the
    block's second parameter); None when the collection is not a literal of classes."""
    node = _literal(index, call.receiver, frame)
    if node is None:
        return None
    items: list[Node | None]
    if node.type == "array" and call.method not in _VALUES:
        items = list(node.named_children)
        as_values = False
    elif node.type == "hash" and call.method in _VALUES | _PAIRS:
        items = [pair.child_by_field_name("value") for pair in node.named_children if pair.type == "pair"]
        as_values = call.method != "each_value"
    else:
        return None
    names = [nodes.constant_name(item) if item is not None else None for item in items]
    if not names or any(name is None for name in names):
        return None
    return [index.qualify(name, frame.cref) for name in names if name is not None], as_values


def _literal(index: CodeIndex, node: Node | None, frame: Frame) -> Node | None:
    node = _unfrozen(node)
    name = nodes.constant_name(node) if node is not None else None
    if name is not None:
        node = _unfrozen(_constant_value(index, name, frame.cref))
    return node if node is not None and node.type in ("array", "hash") else None


def _constant_value(index: CodeIndex, name: str, cref: tuple[str, ...]) -> Node | None:
    for depth in range(len(cref), 0, -1):
        found = index.constants.get(f"{cref[depth - 1]}::{name}")
        if found is not None:
            return found
    return index.constants.get(name.removeprefix("::"))


def _unfrozen(node: Node | None) -> Node | None:
    """`[...].freeze` is the array."""
    call = nodes.as_call(node) if node is not None and node.type == "call" else None
    if call is not None and call.method == "freeze" and not call.args:
        return call.receiver
    return node
