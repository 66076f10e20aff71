"""Ruby conditions as the text that labels conditional edges."""

from __future__ import annotations

from tree_sitter import Node

from batch2flow.ruby import nodes

#: statements that leave the current method or block iteration
_EXITS = frozenset({"return", "next", "break", "raise", "fail"})


def negate(condition: str) -> str:
    return f"!({condition})"


#: expressions that bind more loosely than `&&`: conditions are joined with ` && `
#: (`outer && inner`), so these keep their own parentheses
_LOOSE_OPERATORS = frozenset({"||", "or", "and", "not"})
_LOOSE_NODES = frozenset({"conditional", "assignment", "operator_assignment", "rescue_modifier"})


def condition_source(node: Node | None) -> str:
    if node is None:
        return "?"
    text = " ".join(nodes.text(node).split())
    operator = node.child_by_field_name("operator")
    loose_operator = operator is not None and nodes.text(operator) in _LOOSE_OPERATORS
    loose = node.type in _LOOSE_NODES or (node.type in ("binary", "unary") and loose_operator)
    return f"({text})" if loose else text


def is_exit(node: Node) -> bool:
    """`return`, `next`, `break`, `raise ...` as a whole statement."""
    if node.type in ("return", "next", "break"):
        return True
    call = nodes.as_call(node)
    return call is not None and call.receiver is None and call.method in _EXITS


def early_exit_guard(stmt: Node) -> str | None:
    """For `return if X` (or `unless`, or `if X ... return end` with no else), the
    condition under which the statements after it still run."""
    if stmt.type in ("if_modifier", "unless_modifier"):
        body = stmt.child_by_field_name("body")
        if body is None or not is_exit(body):
            return None
        cond = condition_source(stmt.child_by_field_name("condition"))
        return negate(cond) if stmt.type == "if_modifier" else cond
    if stmt.type in ("if", "unless") and stmt.child_by_field_name("alternative") is None:
        then = nodes.body_statements(stmt.child_by_field_name("consequence"))
        if then and is_exit(then[-1]):
            cond = condition_source(stmt.child_by_field_name("condition"))
            return negate(cond) if stmt.type == "if" else cond
    return None


#: what binds looser than `&&` (or cannot follow it), at the top level of a condition
_LOOSE = ("||", " or ", " and ", " ? ")


def as_operand(condition: str) -> str:
    """`condition` as an operand of `&&`: `a || b` grouped, so `x && (a || b)` keeps it whole."""
    depth, quote, top = 0, "", []
    for char in condition:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        top.append(char if depth == 0 and not quote else " ")
    flat = "".join(top)
    return f"({condition})" if any(word in flat for word in _LOOSE) or flat.startswith("not ") else condition
