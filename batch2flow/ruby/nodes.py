"""Small helpers over tree-sitter-ruby nodes: names, calls, literal values."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from tree_sitter import Node

BLOCK_TYPES = frozenset({"do_block", "block"})
COMMENT_TYPES = frozenset({"comment", "heredoc_body"})


@dataclass(frozen=True)
class Call:
    """A method call split into its parts; `receiver` is None for a bare call."""

    node: Node
    receiver: Node | None
    method: str
    args: tuple[Node, ...]
    block: Node | None


#: the analysis reads a method's body again at every call of it, so most nodes are asked
#: for several times: kept for the run (pipeline.py clears it), and the nodes it holds keep
#: their trees alive, so an entry never outlives its tree
@functools.lru_cache(maxsize=1 << 16)
def as_call(node: Node) -> Call | None:
    """View `node` as a call: `recv.meth(args) { }`, `meth args`, or a bare `meth`."""
    if node.type == "call":
        method = node.child_by_field_name("method")
        if method is None:
            return None
        return Call(
            node,
            node.child_by_field_name("receiver"),
            _text(method),
            _arguments(node.child_by_field_name("arguments")),
            node.child_by_field_name("block"),
        )
    if node.type == "identifier":
        return Call(node, None, _text(node), (), None)
    return None


def _arguments(arg_list: Node | None) -> tuple[Node, ...]:
    if arg_list is None:
        return ()
    return tuple(c for c in arg_list.named_children if c.type not in COMMENT_TYPES)


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def text(node: Node) -> str:
    return _text(node)


def constant_name(node: Node | None) -> str | None:
    """`A::B` for a constant path, `::A::B` when anchored at the top; else None."""
    if node is None:
        return None
    if node.type == "constant":
        return _text(node)
    if node.type == "scope_resolution":
        name = node.child_by_field_name("name")
        scope = node.child_by_field_name("scope")
        if name is None or name.type != "constant":
            return None
        if scope is None:
            return "::" + _text(name)
        outer = constant_name(scope)
        return None if outer is None else f"{outer}::{_text(name)}"
    return None


def literal_string(node: Node | None) -> str | None:
    """The value of a symbol or string literal without interpolation; else None."""
    if node is None:
        return None
    if node.type == "simple_symbol":
        return _text(node)[1:]
    if node.type == "hash_key_symbol":
        return _text(node)
    if node.type in ("string", "delimited_symbol", "bare_string", "bare_symbol"):
        parts = node.named_children
        if all(p.type in ("string_content", "escape_sequence") for p in parts):
            return _unescape("".join(_text(p) for p in parts))
    return None


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0", "s": " "}


def _unescape(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw):
            out.append(_ESCAPES.get(raw[i + 1], raw[i + 1]))
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def hash_pairs(args: tuple[Node, ...]) -> list[tuple[str | None, Node]]:
    """Key/value pairs of a trailing hash argument, braced or bare; keys as strings."""
    return [(key, value) for key, _symbol, value in hash_entries(args)]


def hash_entries(args: tuple[Node, ...]) -> list[tuple[str | None, bool, Node]]:
    """Like `hash_pairs`, with whether each key is a symbol: `id:`, `:id =>`, `"id":`."""
    pairs: list[Node] = []
    for arg in args:
        if arg.type == "pair":
            pairs.append(arg)
        elif arg.type == "hash":
            pairs.extend(c for c in arg.named_children if c.type == "pair")
    result: list[tuple[str | None, bool, Node]] = []
    for pair in pairs:
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if value is not None:
            result.append((literal_string(key), _symbol_key(pair, key), value))
    return result


def is_symbol(node: Node) -> bool:
    return node.type in _SYMBOLS


_SYMBOLS = frozenset({"simple_symbol", "hash_key_symbol", "delimited_symbol"})


def _symbol_key(pair: Node, key: Node | None) -> bool:
    # `"id": 1` is the symbol :id; only `=>` keeps a string key a string
    separator = next((_text(c) for c in pair.children if not c.is_named), "")
    return key is not None and (is_symbol(key) or separator == ":")


def body_statements(node: Node | None) -> list[Node]:
    """The statements of a body, block or branch, comments and heredoc bodies left out."""
    if node is None:
        return []
    if node.type in ("body_statement", "block_body", "then", "else", "begin", "program",
                     "parenthesized_statements", "ensure", "do"):
        return [c for c in node.named_children if c.type not in COMMENT_TYPES]
    return [node]


def block_body(block: Node | None) -> list[Node]:
    if block is None:
        return []
    return body_statements(block.child_by_field_name("body"))


def block_params(block: Node | None) -> list[str]:
    if block is None:
        return []
    params = block.child_by_field_name("parameters")
    if params is None:
        return []
    return [_text(p) for p in params.named_children if p.type == "identifier"]
