"""Decide a Ruby condition from what one run knows: starter parameters, callback options,
and what the simulation says of a batch's status.

The graph hands conditions over as Ruby text; this reads that text with tree-sitter-ruby
(not with the converter's translator, so a translation bug cannot agree with itself) and
evaluates the small part of Ruby conditions are written in: literals, comparisons,
`!`/`&&`/`||`, `include?`/`empty?`-style predicates, `options['key']` and
`status.failures`/`total`/`pending`. Anything else is UNKNOWN, and so is every
condition built on it; `&&` and `||` still decide when one side settles them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import tree_sitter_ruby
from tree_sitter import Language, Node, Parser

_PARSER = Parser(Language(tree_sitter_ruby.language()))


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


#: a value the run does not know
UNKNOWN: Any = _Unknown()


class SomeFailures:
    """`status.failures` when some job failed but how many is not known: positive."""

    def __repr__(self) -> str:
        return "SomeFailures"


@dataclass(frozen=True)
class Scope:
    #: local names the code can read, with their values (starter parameters)
    names: Mapping[str, object]
    #: the callback's options as Ruby sees them (string keys), or None outside a callback
    options: Mapping[str, object] | None = None
    #: `status.failures`, `status.total`, `status.pending` inside a callback
    status: Mapping[str, object] | None = None


def decide(condition: str, scope: Scope) -> bool | None:
    """True or False when `scope` settles `condition`, None when it does not."""
    value = evaluate(condition, scope)
    return None if value is UNKNOWN else _truthy(value)


def evaluate(ruby: str, scope: Scope) -> object:
    tree = _PARSER.parse(ruby.encode("utf-8"))
    statements = [c for c in tree.root_node.named_children if c.type != "comment"]
    if tree.root_node.has_error or len(statements) != 1:
        return UNKNOWN
    return _Evaluator(scope).value(statements[0])


def options_value(ruby_pairs: str | None, scope: Scope) -> Mapping[str, object] | None:
    """The options hash a callback gets, from the registration's Ruby text (`'k' => v`):
    through JSON, so symbol keys and symbol values come back as strings. None when some
    key is not known (a value may still be UNKNOWN)."""
    if ruby_pairs is None:
        return {}
    value = evaluate("{" + ruby_pairs + "}", scope)
    if not isinstance(value, dict):
        return None
    converted = _through_json(value)
    assert isinstance(converted, dict)
    return converted


def _through_json(value: object) -> object:
    if isinstance(value, Symbol):
        return value.name
    if isinstance(value, list):
        return [_through_json(v) for v in value]
    if isinstance(value, dict):
        return {(k.name if isinstance(k, Symbol) else str(k)): _through_json(v) for k, v in value.items()}
    if value is UNKNOWN or value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.loads(json.dumps(value, default=lambda _: None))


@dataclass(frozen=True)
class Symbol:
    name: str


def _truthy(value: object) -> bool:
    return value is not None and value is not False


class _Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def value(self, node: Node) -> object:
        handler: Callable[[Node], object] | None = getattr(self, "_" + node.type, None)
        return handler(node) if handler is not None else UNKNOWN

    # literals
    def _integer(self, node: Node) -> object:
        text = _text(node).replace("_", "")
        try:
            # Ruby reads a leading 0 as octal, where Python's int(text, 0) refuses it
            return int(text, 8) if len(text) > 1 and text[0] == "0" and text[1].isdigit() else int(text, 0)
        except ValueError:
            return UNKNOWN

    def _float(self, node: Node) -> object:
        try:
            return float(_text(node).replace("_", ""))
        except ValueError:
            return UNKNOWN

    def _true(self, node: Node) -> object:
        return True

    def _false(self, node: Node) -> object:
        return False

    def _nil(self, node: Node) -> object:
        return None

    def _string(self, node: Node) -> object:
        parts = []
        for child in node.named_children:
            if child.type != "string_content":
                return UNKNOWN  # interpolation or an escape sequence
            parts.append(_text(child))
        return "".join(parts)

    def _simple_symbol(self, node: Node) -> object:
        return Symbol(_text(node)[1:])

    def _hash_key_symbol(self, node: Node) -> object:
        return Symbol(_text(node))

    def _array(self, node: Node) -> object:
        return [self.value(child) for child in node.named_children]

    def _hash(self, node: Node) -> object:
        found: dict[object, object] = {}
        for pair in node.named_children:
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if pair.type != "pair" or key is None or value is None:
                return UNKNOWN
            name = self.value(key)
            if name is UNKNOWN or isinstance(name, (list, dict)):
                return UNKNOWN
            found[name] = self.value(value)
        return found

    def _parenthesized_statements(self, node: Node) -> object:
        inner = node.named_children
        return self.value(inner[0]) if len(inner) == 1 else UNKNOWN

    # names
    def _identifier(self, node: Node) -> object:
        return self.scope.names.get(_text(node), UNKNOWN)

    # operators
    def _unary(self, node: Node) -> object:
        operator = _text(node.child_by_field_name("operator"))
        operand = self.value(node.child_by_field_name("operand"))  # type: ignore[arg-type]
        if operand is UNKNOWN:
            return UNKNOWN
        if operator in ("!", "not"):
            return not _truthy(operand)
        if operator == "-" and isinstance(operand, (int, float)):
            return -operand
        return UNKNOWN

    def _binary(self, node: Node) -> object:
        operator = _text(node.child_by_field_name("operator"))
        left_node, right_node = node.child_by_field_name("left"), node.child_by_field_name("right")
        assert left_node is not None and right_node is not None
        left = self.value(left_node)
        if operator in ("&&", "and", "||", "or"):
            right = self.value(right_node)
            wants_all = operator in ("&&", "and")
            for side in (left, right):
                if side is not UNKNOWN and _truthy(side) != wants_all:
                    return side  # settles it whatever the other side is
            return UNKNOWN if UNKNOWN in (left, right) else right
        right = self.value(right_node)
        return _compare(operator, left, right)

    def _conditional(self, node: Node) -> object:
        test = self.value(node.child_by_field_name("condition"))  # type: ignore[arg-type]
        if test is UNKNOWN:
            return UNKNOWN
        branch = node.child_by_field_name("consequence" if _truthy(test) else "alternative")
        return self.value(branch) if branch is not None else UNKNOWN

    def _element_reference(self, node: Node) -> object:
        target = node.child_by_field_name("object")
        keys = [c for c in node.named_children if c != target]
        if target is None or len(keys) != 1:
            return UNKNOWN
        if target.type == "identifier" and _text(target) == "options" and self.scope.options is not None:
            key = self.value(keys[0])
            # options come back from JSON with string keys: a symbol finds nothing
            if isinstance(key, Symbol):
                return None
            return self.scope.options.get(key, None) if isinstance(key, str) else UNKNOWN
        collection, key = self.value(target), self.value(keys[0])
        if isinstance(collection, dict) and key is not UNKNOWN and not isinstance(key, (list, dict)):
            return collection.get(key)
        if isinstance(collection, list) and isinstance(key, int) and not isinstance(key, bool):
            return collection[key] if -len(collection) <= key < len(collection) else None
        return UNKNOWN

    def _call(self, node: Node) -> object:
        receiver = node.child_by_field_name("receiver")
        method = _text(node.child_by_field_name("method"))
        arguments = node.child_by_field_name("arguments")
        args = [self.value(a) for a in arguments.named_children] if arguments is not None else []
        if node.child_by_field_name("block") is not None or receiver is None:
            return UNKNOWN
        if receiver.type == "identifier" and _text(receiver) == "status" and not args:
            return self.scope.status.get(method, UNKNOWN) if self.scope.status is not None else UNKNOWN
        subject = self.value(receiver)
        if subject is UNKNOWN or UNKNOWN in args:
            return UNKNOWN
        return _method(subject, method, args)


def _compare(operator: str, left: object, right: object) -> object:
    if isinstance(left, SomeFailures) and isinstance(right, int):
        # a positive count of unknown size: only some comparisons with numbers settle
        settled = {"==": (right <= 0, False), "!=": (right <= 0, True), ">": (right <= 0, True),
                   ">=": (right <= 1, True), "<": (right <= 1, False), "<=": (right <= 0, False)}
        known, answer = settled.get(operator, (False, False))
        return answer if known else UNKNOWN
    if isinstance(right, SomeFailures) and isinstance(left, int):
        flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}.get(operator)
        return _compare(flipped, right, left) if flipped else UNKNOWN
    if UNKNOWN in (left, right) or isinstance(left, SomeFailures) or isinstance(right, SomeFailures):
        return UNKNOWN
    if operator == "==":
        return _same(left, right)
    if operator == "!=":
        return not _same(left, right)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
    if operator in ("<", ">", "<=", ">=") and (numbers or all(isinstance(v, str) for v in (left, right))):
        a, b = left, right
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[operator]  # type: ignore[operator]
    return UNKNOWN


def _same(left: object, right: object) -> bool:
    # Ruby: 1 == 1.0, but "1" != 1 and :a != "a"; true is not 1
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return type(left) is type(right) and left == right or (
        isinstance(left, (int, float)) and isinstance(right, (int, float)) and left == right)


def _method(subject: object, method: str, args: list[object]) -> object:
    if method == "nil?" and not args:
        return subject is None
    if method in ("blank?", "present?") and not args:
        blank = (subject is None or subject is False
                 or (isinstance(subject, str) and not subject.strip())
                 or (isinstance(subject, (list, dict)) and not subject))
        return blank if method == "blank?" else not blank
    if method == "to_s" and not args and isinstance(subject, (str, int)) and not isinstance(subject, bool):
        return str(subject)
    if isinstance(subject, (str, list, dict)):
        return _collection_method(subject, method, args)
    return _number_method(subject, method) if not args else UNKNOWN


def _number_method(subject: object, method: str) -> object:
    if method not in ("zero?", "positive?", "negative?"):
        return UNKNOWN
    if isinstance(subject, SomeFailures):
        return method == "positive?"
    if isinstance(subject, (int, float)) and not isinstance(subject, bool):
        return {"zero?": subject == 0, "positive?": subject > 0, "negative?": subject < 0}[method]
    return UNKNOWN


def _collection_method(subject: str | list[object] | dict[object, object], method: str,
                       args: list[object]) -> object:
    if method == "empty?" and not args:
        return not subject
    if method == "any?" and not args and not isinstance(subject, str):
        return any(_truthy(v) for v in subject) if isinstance(subject, list) else bool(subject)
    if method in ("size", "length", "count") and not args:
        return len(subject)
    if method == "include?" and len(args) == 1:
        if isinstance(subject, str):
            return isinstance(args[0], str) and args[0] in subject
        return any(_same(item, args[0]) for item in subject)
    if method in ("key?", "has_key?") and len(args) == 1 and isinstance(subject, dict):
        return args[0] in subject
    return UNKNOWN


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8") if node is not None and node.text is not None else ""
