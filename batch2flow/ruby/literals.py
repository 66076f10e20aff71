"""The value of a Ruby default argument, when it is a literal the flow can keep as is.

Only scalars whose Ruby and Python values agree are kept: decimal integers and floats,
strings without interpolation or escapes, `true`, `false` and `nil`. Anything else (a
method call, a constant, a symbol, an array or hash that Python would share between
calls) has no default in the flow, so a run must give it.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from batch2flow.ruby import nodes

_INTEGER = re.compile(r"-?\d(?:_?\d)*")
_FLOAT = re.compile(r"-?\d(?:_?\d)*\.\d(?:_?\d)*(?:[eE][+-]?\d+)?")
_CONSTANTS: dict[str, object] = {"true": True, "false": False, "nil": None}


class NoLiteral(Exception):
    """The default is not a literal the flow can keep."""


def literal_default(node: Node) -> object:
    """The Python value of the literal `node`; raises NoLiteral for anything else."""
    text = nodes.text(node)
    if node.type in _CONSTANTS:
        return _CONSTANTS[node.type]
    number = node.type in ("integer", "float", "unary")  # `-2` is a unary minus
    if number and _INTEGER.fullmatch(text):
        return int(text.replace("_", ""))
    if number and _FLOAT.fullmatch(text):
        return float(text.replace("_", ""))
    if node.type == "string" and "\\" not in text:
        value = nodes.literal_string(node)
        if value is not None:
            return value
    raise NoLiteral(text)
