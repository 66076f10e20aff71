"""The value of a Ruby default argument, when it is a literal the flow can keep as is.

Only scalars whose Ruby and Python values agree, and that Prefect can send as JSON, are
kept: decimal integers of up to 4300 digits (Python's json stops there, so Prefect could not
create a flow run), finite floats, strings without interpolation or escapes, `true`, `false`
and `nil`. Anything else (a
method call, a constant, a symbol, an array or hash that Python would share between
calls) has no default in the flow, so a run must give it.
"""

from __future__ import annotations

import math
import re

from tree_sitter import Node

from batch2flow.ruby import nodes

_INTEGER = re.compile(r"-?\d(?:_?\d)*")
_FLOAT = re.compile(r"-?\d(?:_?\d)*\.\d(?:_?\d)*(?:[eE][+-]?\d+)?")
_CONSTANTS: dict[str, object] = {"true": True, "false": False, "nil": None}


class NoLiteral(Exception):
    """The default is not a literal the flow can keep."""


#: the longest decimal integer Python's `int()`, `str()`, json and a decimal literal in source
#: accept (3.11+, CVE-2020-10735)
MAX_DECIMAL_DIGITS = 4300
#: digits `int()` converts at once; Python 3.11+ refuses more than 4300 (CVE-2020-10735)
_CHUNK = 4000


def exact_int(digits: str, base: int = 10) -> int:
    """The integer a Ruby literal's digits (an optional minus, no underscores) stand for,
    however long: Ruby has no limit, and Python's `int()` stops at 4300 decimal digits.
    Converted in halves, so each `int()` stays below that limit."""
    if digits.startswith("-"):
        return -exact_int(digits[1:], base)
    if base != 10 or len(digits) <= _CHUNK:
        return int(digits, base)  # a power-of-two base has no limit
    half = len(digits) // 2
    scale: int = 10 ** (len(digits) - half)
    return exact_int(digits[:half]) * scale + exact_int(digits[half:])


def literal_default(node: Node) -> object:
    """The Python value of the literal `node`; raises NoLiteral for anything else."""
    text = nodes.text(node)
    if node.type in _CONSTANTS:
        return _CONSTANTS[node.type]
    number = node.type in ("integer", "float", "unary")  # `-2` is a unary minus
    if number and _INTEGER.fullmatch(text):
        digits = text.replace("_", "")
        if len(digits.lstrip("-")) > MAX_DECIMAL_DIGITS:
            raise NoLiteral(text)
        return int(digits)
    if number and _FLOAT.fullmatch(text):
        number_value = float(text.replace("_", ""))
        if not math.isfinite(number_value):  # `1.0e400` is Infinity in Ruby too; JSON has none
            raise NoLiteral(text)
        return number_value
    if node.type == "string" and "\\" not in text:
        value = nodes.literal_string(node)
        if value is not None:
            return value
    raise NoLiteral(text)
