"""Walk the tree-sitter tree of one Ruby expression and build its Python `Expr`.

Names come from the Scope only; the callback's `status` and `options` parameters are read
through what the Scope knows of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tree_sitter import Node

from batch2flow.codegen import ruby_expr_ops as ops
from batch2flow.codegen.ruby_expr_values import (
    Expr,
    Kind,
    Reject,
    constant,
    floating,
    integer,
    python_value,
    string_value,
    word,
)
from batch2flow.ruby import nodes

if TYPE_CHECKING:
    from batch2flow.codegen.ruby_expr import Scope


def short(ruby: str) -> str:
    line = ruby.strip().split("\n", 1)[0]
    return line if len(line) <= 40 else line[:37] + "..."


_LOGICAL = {"&&": "and", "and": "and", "||": "or", "or": "or"}
_COMPARISONS = frozenset({"==", "!=", "<", ">", "<=", ">="})
_WHY_NOT = {
    "/": "`/` divides integers with floor in Ruby, floats exactly: not translated",
    "%": "`%` is a modulo or a string format in Ruby: not translated",
}
_STATUS_COUNTS = frozenset({"failures", "total", "pending"})
_SYMBOL_TYPES = frozenset({"simple_symbol", "delimited_symbol", "hash_key_symbol"})


class Walker:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.notes: list[str] = []

    def expr(self, node: Node) -> Expr:
        handler = _HANDLERS.get(node.type)
        if handler is None:
            raise Reject(f"`{short(nodes.text(node))}` is not translated")
        return handler(self, node)

    def array(self, node: Node) -> Expr:
        items = [self.expr(child) for child in _named(node)]
        source = "[" + ", ".join(item.inner for item in items) + "]"
        return Expr(source, Kind.LIST, any(item.symbolic for item in items))

    def words(self, node: Node) -> Expr:
        opener = nodes.text(node.children[0])
        if not opener.startswith(("%w", "%i")):  # %W and %I interpolate
            raise Reject(f"`{opener}...]` is not translated")
        return constant([word(c) for c in node.named_children], Kind.LIST, opener.startswith("%i"))

    def hash(self, node: Node) -> Expr:
        entries: list[str] = []
        symbolic = False
        for pair in _named(node):
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if pair.type != "pair" or key is None or value is None:
                raise Reject(f"hash entry `{short(nodes.text(pair))}` is not translated")
            separator = next((nodes.text(c) for c in pair.children if not c.is_named), "")
            symbolic = symbolic or separator == ":" or key.type in _SYMBOL_TYPES
            translated = self.expr(value)
            symbolic = symbolic or translated.symbolic
            entries.append(f"{self.key(key)!r}: {translated.inner}")
        return Expr("{" + ", ".join(entries) + "}", Kind.DICT, symbolic)

    def key(self, node: Node) -> str:
        """A hash key as Sidekiq's JSON leaves it: a string."""
        if node.type == "hash_key_symbol":
            return nodes.text(node)
        if node.type == "simple_symbol":
            return nodes.text(node)[1:]
        if node.type in ("string", "chained_string", "delimited_symbol"):
            return string_value(node)
        raise Reject(f"hash key `{short(nodes.text(node))}` is not a string or a symbol")

    def identifier(self, node: Node) -> Expr:
        name = nodes.text(node)
        if self.callback_param(name):
            raise Reject(f"`{name}` as a whole is not translated")
        source = self.scope.names.get(name)
        if source is None:
            raise Reject(f"`{name}` is not a name known here")
        return python_value(source, f"`{name}`")

    def parenthesized(self, node: Node) -> Expr:
        inside = _named(node)
        if len(inside) != 1:
            raise Reject(f"`{short(nodes.text(node))}` is not a single expression")
        return self.expr(inside[0])

    def unary(self, node: Node) -> Expr:
        operator, operand = node.child_by_field_name("operator"), node.child_by_field_name("operand")
        name = nodes.text(operator) if operator else ""
        if operand is None or name not in ("-", "!", "not"):
            raise Reject(f"`{short(nodes.text(node))}` is not translated")
        if name == "-" and operand.type == "integer":
            return constant(-integer(nodes.text(operand)), Kind.INT)
        if name == "-" and operand.type == "float":
            return constant(-floating(nodes.text(operand)), Kind.FLOAT)
        value = self.expr(operand)
        return ops.minus(value) if name == "-" else ops.negation(value)

    def binary(self, node: Node) -> Expr:
        operator = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        name = nodes.text(operator) if operator else ""
        if left is None or right is None or name not in {*_LOGICAL, *_COMPARISONS, "+", "-", "*"}:
            raise Reject(_WHY_NOT.get(name, f"operator `{name}` is not translated"))
        if name in _LOGICAL:
            return ops.logical(_LOGICAL[name], self.expr(left), self.expr(right))
        if name in _COMPARISONS:
            return ops.comparison(name, self.expr(left), self.expr(right))
        return ops.arithmetic(name, self.expr(left), self.expr(right))

    def conditional(self, node: Node) -> Expr:
        parts = [node.child_by_field_name(f) for f in ("condition", "consequence", "alternative")]
        if any(part is None for part in parts):
            raise Reject(f"`{short(nodes.text(node))}` is not translated")
        test, yes, no = (self.expr(part) for part in parts if part is not None)
        return ops.conditional(test, yes, no)

    def call(self, node: Node) -> Expr:
        call = nodes.as_call(node)
        dot = node.child_by_field_name("operator")
        if call is None or call.receiver is None or call.block is not None or dot is None \
                or nodes.text(dot) != ".":
            raise Reject(f"`{short(nodes.text(node))}` is not translated")
        param = self.callback_param(nodes.text(call.receiver)) if call.receiver.type == "identifier" else None
        if param == "options":
            return self.options_call(call)
        if param == "status":
            return self.status_call(call)
        if call.method == "include?" and len(call.args) == 1:
            return ops.contains(self.expr(call.receiver), self.expr(call.args[0]))
        if call.args:
            raise Reject(f"`{call.method}` with arguments is not translated")
        receiver = self.expr(call.receiver)
        if call.method == "size" and receiver.kind is Kind.ANY:
            self.notes.append(f"`{short(nodes.text(node))}` is read as a length "
                              "(an Integer's size in Ruby is its width in bytes)")
        return ops.method(call.method, receiver)

    def status_call(self, call: nodes.Call) -> Expr:
        if self.scope.status is None:
            raise Reject("the batch status is known only in a callback")
        if call.method not in _STATUS_COUNTS or call.args:
            raise Reject(f"`{self.scope.status_param}.{call.method}` is not translated")
        status = python_value(self.scope.status, "the batch status")
        return Expr(f"{status.src}.{call.method}", Kind.INT)

    def options_call(self, call: nodes.Call) -> Expr:
        if call.method != "fetch" or len(call.args) != 1:
            raise Reject(f"`{self.scope.options_param}.{call.method}` is not translated")
        return self.option(call.args[0], fetch=True)

    def element_reference(self, node: Node) -> Expr:
        target, *keys = _named(node)
        if len(keys) != 1 or target.type != "identifier" \
                or self.callback_param(nodes.text(target)) != "options":
            raise Reject("indexing is not translated: Ruby's [] gives nil where Python raises")
        return self.option(keys[0], fetch=False)

    def option(self, key: Node, fetch: bool) -> Expr:
        """A callback option, read with `options[key]` or `options.fetch(key)`."""
        param, ruby_key = self.scope.options_param, nodes.text(key)
        shown = f"{param}.fetch({ruby_key})" if fetch else f"{param}[{ruby_key}]"
        if key.type in _SYMBOL_TYPES:
            consequence = "raises KeyError" if fetch else "is nil"
            note = f"`{shown}` {consequence} in Sidekiq: callback options arrive with string keys"
            if fetch:
                raise Reject(note)
            self.notes.append(note)
            return Expr("None", Kind.NIL)
        if key.type not in ("string", "chained_string"):
            raise Reject(f"`{shown}`: option keys are strings")
        name = string_value(key)
        known = self.scope.options or {}
        if name not in known:
            raise Reject(f"callback option {name!r} is not known statically")
        return python_value(known[name], f"callback option {name!r}")

    def callback_param(self, name: str) -> str | None:
        """Which parameter of the callback being read `name` is: "status", "options" or None."""
        scope = self.scope
        if name not in (scope.status_param, scope.options_param):
            return None
        if scope.status is None and scope.options is None:
            return None
        if name in scope.names:
            raise Reject(f"`{name}` is both a callback parameter and a name from the code before it")
        return "status" if name == scope.status_param else "options"


def _named(node: Node) -> list[Node]:
    return [child for child in node.named_children if child.type != "comment"]


def _literal(value: object, kind: Kind) -> Callable[[Walker, Node], Expr]:
    return lambda _walker, _node: constant(value, kind)


_HANDLERS: dict[str, Callable[[Walker, Node], Expr]] = {
    "integer": lambda _w, node: constant(integer(nodes.text(node)), Kind.INT),
    "float": lambda _w, node: constant(floating(nodes.text(node)), Kind.FLOAT),
    "string": lambda _w, node: constant(string_value(node), Kind.STR),
    "chained_string": lambda _w, node: constant(string_value(node), Kind.STR),
    "simple_symbol": lambda _w, node: constant(nodes.text(node)[1:], Kind.STR, symbolic=True),
    "delimited_symbol": lambda _w, node: constant(string_value(node), Kind.STR, symbolic=True),
    "true": _literal(True, Kind.BOOL),
    "false": _literal(False, Kind.BOOL),
    "nil": _literal(None, Kind.NIL),
    "array": Walker.array,
    "string_array": Walker.words,
    "symbol_array": Walker.words,
    "hash": Walker.hash,
    "identifier": Walker.identifier,
    "parenthesized_statements": Walker.parenthesized,
    "unary": Walker.unary,
    "binary": Walker.binary,
    "conditional": Walker.conditional,
    "call": Walker.call,
    "element_reference": Walker.element_reference,
}
