"""Ruby operators and methods whose Python spelling gives the same value.

The rule: wherever Ruby returns a value, the Python returns the same value. Where Ruby raises
(`"a" + 1`, `nil.zero?`), the Python may raise or differ, since the Ruby workflow would have
failed there anyway. Ruby's truth test (only nil and false are false) is kept exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from batch2flow.codegen.ruby_expr_values import NUMBERS, TRUTH_AGREES, Expr, Kind, Reject, op

_SINGLETONS = frozenset({"None", "True", "False"})
_ORDERED = NUMBERS | {Kind.STR, Kind.ANY}
_NUMERIC = NUMBERS | {Kind.ANY}
_COLLECTIONS = frozenset({Kind.STR, Kind.LIST, Kind.DICT, Kind.ANY})
#: values Python's `==` never finds equal to True, False or None unless they are None
_NEVER_BOOL = frozenset({Kind.NIL, Kind.STR, Kind.LIST, Kind.DICT})
_SYMBOL = ("comparing with a symbol: Sidekiq passes values through JSON, so they are strings, "
           "and a Ruby string never equals a symbol")


def truth_test(value: Expr) -> str:
    """Python source that is true exactly when Ruby finds `value` true."""
    if value.test is not None:
        return value.test
    if value.kind in TRUTH_AGREES:
        return value.src
    if value.kind is Kind.ANY:
        return f"({value.src} is not None and {value.src} is not False)"
    return "True"  # Ruby finds every number, string, array and hash true


def negation(value: Expr) -> Expr:
    if value.kind is Kind.ANY and value.test is None:
        return op(f"{value.src} is None or {value.src} is False", Kind.BOOL)
    return op(f"not {truth_test(value)}", Kind.BOOL)


def logical(name: str, left: Expr, right: Expr) -> Expr:
    """`and`/`or` give back an operand in both languages, chosen by each language's truth test:
    Python's choice is Ruby's when the left operand is a boolean or nil. A test of the result
    is kept apart, so `a && b && c` is tested without repeating its value."""
    symbolic = left.symbolic or right.symbolic
    if {left.kind, right.kind} <= TRUTH_AGREES:
        return op(f"{left.src} {name} {right.src}", Kind.BOOL, symbolic)
    test = f"({truth_test(left)} {name} {truth_test(right)})"
    if left.kind in TRUTH_AGREES:
        return op(f"{left.src} {name} {right.src}", Kind.ANY, symbolic, test)
    chosen, other = (right, left) if name == "and" else (left, right)
    return op(f"{chosen.src} if {truth_test(left)} else {other.src}", Kind.ANY, symbolic, test)


def conditional(test: Expr, yes: Expr, no: Expr) -> Expr:
    kind = yes.kind if yes.kind is no.kind else Kind.ANY
    condition = truth_test(test)
    tested = None if kind in TRUTH_AGREES else f"({truth_test(yes)} if {condition} else {truth_test(no)})"
    return op(f"{yes.src} if {condition} else {no.src}", kind, yes.symbolic or no.symbolic, tested)


def comparison(operator: str, left: Expr, right: Expr) -> Expr:
    if left.symbolic or right.symbolic:
        raise Reject(_SYMBOL)
    if operator in ("==", "!="):
        return _equality(operator == "!=", left, right)
    for side in (left, right):
        if side.kind not in _ORDERED:
            raise Reject(f"`{operator}` on a {side.kind.value} is not translated")
    return op(f"{left.src} {operator} {right.src}", Kind.BOOL)


def _equality(negated: bool, left: Expr, right: Expr) -> Expr:
    for this, other in ((left, right), (right, left)):
        # nil, true and false equal only themselves in Ruby, where Python's 1 == True
        if other.src in _SINGLETONS and this.kind not in _NEVER_BOOL:
            return op(f"{this.src} {'is not' if negated else 'is'} {other.src}", Kind.BOOL)
    kinds = {left.kind, right.kind}
    if Kind.BOOL in kinds and kinds & _NUMERIC:
        raise Reject("comparing a boolean with a number: Python's True == 1, Ruby's true != 1")
    return op(f"{left.src} {'!=' if negated else '=='} {right.src}", Kind.BOOL)


def arithmetic(operator: str, left: Expr, right: Expr) -> Expr:
    kinds = {left.kind, right.kind}
    known = kinds - {Kind.ANY}
    if operator == "*":
        # Ruby repeats a string or an array by an integer; `array * ","` joins and
        # `"ab" * 2.5` truncates, where Python raises
        fits = right.kind is Kind.INT or (left.kind in NUMBERS and right.kind in _NUMERIC)
    elif operator == "-":
        fits = kinds <= _NUMERIC and bool(known)  # an array minus an array: set difference
    else:  # numbers, strings and arrays add alike; anything else raises in Ruby
        fits = known <= NUMBERS or (len(known) == 1 and known <= {Kind.STR, Kind.LIST})
    if not fits:
        raise Reject(f"`{operator}` on a {left.kind.value} and a {right.kind.value} is not translated")
    if Kind.ANY in kinds:
        kind = Kind.ANY
    else:  # the same kind, a float from mixed numbers, or a repeated string or array
        kind = Kind.FLOAT if known == NUMBERS else left.kind
    return op(f"{left.src} {operator} {right.src}", kind)


def minus(value: Expr) -> Expr:
    if value.kind not in _NUMERIC:
        raise Reject(f"unary minus on a {value.kind.value} is not translated")
    return op(f"-{value.src}", value.kind)


def contains(container: Expr, item: Expr) -> Expr:
    if container.symbolic or item.symbolic:
        raise Reject(_SYMBOL)
    if container.kind not in _COLLECTIONS or item.kind is Kind.BOOL:
        raise Reject(f"`include?` of a {item.kind.value} in a {container.kind.value} is not translated")
    return op(f"{item.src} in {container.src}", Kind.BOOL)


@dataclass(frozen=True)
class _Method:
    #: receivers for which Python gives Ruby's value
    kinds: frozenset[Kind]
    #: Python source; {x} is the receiver, {inner} the receiver without our parentheses
    template: str
    kind: Kind
    #: why other receivers are refused
    why: str = ""


_METHODS = {
    "zero?": _Method(_NUMERIC, "({x} == 0)", Kind.BOOL),
    "positive?": _Method(_NUMERIC, "({x} > 0)", Kind.BOOL),
    "negative?": _Method(_NUMERIC, "({x} < 0)", Kind.BOOL),
    "nil?": _Method(frozenset(Kind), "({x} is None)", Kind.BOOL),
    "empty?": _Method(_COLLECTIONS, "(len({inner}) == 0)", Kind.BOOL),
    "size": _Method(_COLLECTIONS, "len({inner})", Kind.INT),
    "length": _Method(_COLLECTIONS, "len({inner})", Kind.INT),
    "count": _Method(_COLLECTIONS - {Kind.STR}, "len({inner})", Kind.INT, "String#count needs an argument"),
    "to_s": _Method(frozenset({Kind.INT, Kind.STR}), "str({inner})", Kind.STR,
                    'Ruby writes nil as "", true as "true", 1e20 as "1.0e+20" and arrays with double quotes'),
    "to_i": _Method(NUMBERS, "int({inner})", Kind.INT,
                    'Ruby reads "12abc" as 12 and nil or "abc" as 0, where Python raises'),
}


def method(name: str, receiver: Expr) -> Expr:
    """`receiver.name` for a method without arguments or block."""
    if name == "any?":
        return _any(receiver)
    spec = _METHODS.get(name)
    if spec is None:
        raise Reject(f"method `{name}` is not translated")
    if receiver.kind not in spec.kinds:
        why = f": {spec.why}" if spec.why else ""
        raise Reject(f"`{name}` on a {receiver.kind.value} is not translated{why}")
    source = spec.template.format(x=receiver.src, inner=receiver.inner)
    if source.startswith("("):
        return Expr(source, spec.kind, wrapped=True)
    return Expr(source, spec.kind)


def _any(receiver: Expr) -> Expr:
    """Ruby's `any?` without a block: a hash that is not empty, an array with an element other
    than nil and false."""
    if receiver.kind is Kind.DICT:
        return op(f"len({receiver.inner}) > 0", Kind.BOOL)
    if receiver.kind in (Kind.LIST, Kind.ANY):
        test = "_item is not None and _item is not False"
        return Expr(f"any({test} for _item in {receiver.src})", Kind.BOOL)
    raise Reject(f"`any?` on a {receiver.kind.value} is not translated")
