"""What Ruby's `"#{value}"` writes for a value that came through JSON (a flow parameter).

Used by translated batch descriptions. nil, booleans, integers, floats and strings are
written exactly as Ruby 3 writes them; arrays and hashes as Ruby's `inspect`, with
control characters escaped but other characters as they are (Ruby also escapes a few
more, such as U+2028).
"""

from __future__ import annotations

import math
from decimal import Decimal

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\f": "\\f",
            "\v": "\\v", "\b": "\\b", "\a": "\\a", "\x1b": "\\e"}


def ruby_to_s(value: object) -> str:
    """`value.to_s`, as string interpolation calls it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _inspect(value)


def _inspect(value: object) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inspect(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_inspect(k)}=>{_inspect(v)}" for k, v in value.items()) + "}"
    return str(value)  # not a JSON value: Python's spelling is all there is


def _float(value: float) -> str:
    """Float#to_s: the shortest digits that read back (Python's repr finds the same ones),
    written plainly from 0.0001 up to below 1e16, with an exponent outside that."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    minus = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return f"{minus}0.0"
    _sign, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    assert isinstance(exponent, int)  # finite
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + exponent  # how many digits stand before the decimal point
    if point <= -4 or point > 15:
        return f"{minus}{digits[0]}.{digits[1:] or '0'}e{point - 1:+03d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    return f"{minus}{digits[:point].ljust(point, '0')}.{digits[point:] or '0'}"


def _string(text: str) -> str:
    out = ['"']
    for index, char in enumerate(text):
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == "#" and text[index + 1:index + 2] in ("{", "$", "@"):
            out.append("\\#")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)
