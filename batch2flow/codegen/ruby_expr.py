"""Translate one Ruby expression (a condition, a job argument, a loop's collection) to Python.

Conservative by design: the answer is None whenever Python could give another value than Ruby,
and the caller then writes a marked stub. The Python is built from the syntax tree, never pasted
from the Ruby: literals go through repr(), names come from the Scope, and the result must compile.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from batch2flow.codegen import ruby_expr_ops as ops
from batch2flow.codegen.ruby_expr_values import Expr, Kind, Reject
from batch2flow.codegen.ruby_expr_walk import Walker, short
from batch2flow.parsing import parse_snippet


@dataclass(frozen=True)
class Scope:
    #: Ruby local variable name -> Python expression source for its value (flow parameters,
    #: loop variables, perform parameters already translated)
    names: Mapping[str, str] = field(default_factory=dict)
    #: Python variable holding the callback's BatchStatus (has .total .failures .pending), or None
    status: str | None = None
    #: the Ruby names of the callback's two parameters
    status_param: str = "status"
    options_param: str = "options"
    #: callback options known statically: string key -> Python expression source of the value
    options: Mapping[str, str] | None = None


def translate(ruby: str, scope: Scope) -> str | None:
    """Python source for the Ruby expression, or None when it cannot be translated faithfully."""
    return translate_with_notes(ruby, scope)[0]


def translate_with_notes(ruby: str, scope: Scope) -> tuple[str | None, list[str]]:
    """The translation and what a reader should know about it: why it is None, or a Ruby
    behaviour the translation reproduces that the author probably did not intend."""
    return _translate(ruby, scope, lambda value: value.src)


def translate_condition(ruby: str, scope: Scope) -> str | None:
    """Python source for an `if` test, true exactly when Ruby finds the expression true
    (Ruby's 0, "" and [] are true)."""
    return _translate(ruby, scope, ops.truth_test)[0]


_EACH = frozenset({"each", "map", "find_each", "each_with_index"})


def translate_items(ruby: str, method: str, scope: Scope) -> str | None:
    """A Python iterable for the receiver `ruby` of a Ruby loop `ruby.method { ... }`."""
    if method in _EACH:
        over_range = _integer_range(ruby, scope)
        if over_range is not None:
            return over_range
    return _translate(ruby, scope, lambda value: _items(value, method))[0]


def _integer_range(ruby: str, scope: Scope) -> str | None:
    """`(1..n).each`: a `range(...)` when both ends are integers. Only as a loop's items: a
    Range passed as a job argument reaches Sidekiq's JSON as the text "1..2"."""
    node = parse_snippet(ruby)
    while node is not None and node.type == "parenthesized_statements" and len(node.named_children) == 1:
        node = node.named_children[0]
    ends = [node.child_by_field_name(f) for f in ("begin", "end")] if node is not None else []
    operator = node.child_by_field_name("operator") if node is not None else None
    if node is None or node.type != "range" or operator is None or any(end is None for end in ends):
        return None
    walker = Walker(scope)
    try:
        first, last = (walker.expr(end) for end in ends if end is not None)
    except Reject:
        return None
    if first.kind is not Kind.INT or last.kind is not Kind.INT:
        return None
    literal = last.inner.lstrip("-").isdigit() and len(last.inner) < 20
    stop = str(int(last.inner) + 1) if literal else f"{last.src} + 1"
    if operator.type == "...":
        stop = last.inner
    result = f"range({first.inner}, {stop})"
    return result if compiles(result) else None


def _items(value: Expr, method: str) -> str:
    if method == "times" and value.kind in (Kind.INT, Kind.ANY):
        return f"range({value.inner})"
    if method in _EACH and value.kind in (Kind.LIST, Kind.ANY):
        return value.src
    raise Reject(f"a `{method}` loop over a {value.kind.value} is not translated")


def _translate(ruby: str, scope: Scope, finish: Callable[[Expr], str]) -> tuple[str | None, list[str]]:
    node = parse_snippet(ruby)
    if node is None:
        return None, [f"`{short(ruby)}` is not a single Ruby expression"]
    walker = Walker(scope)
    try:
        result = finish(walker.expr(node))
    except Reject as reason:
        return None, [*walker.notes, str(reason)]
    except RecursionError:
        return None, [*walker.notes, "the expression is nested too deeply"]
    if not compiles(result):
        return None, [*walker.notes, "the Python translation does not compile"]
    return result, walker.notes


def compiles(source: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # `5 is None` compiles with a SyntaxWarning
        try:
            compile(source, "<ruby_expr>", "eval")
        except (SyntaxError, ValueError, RecursionError):
            return False
    return True
