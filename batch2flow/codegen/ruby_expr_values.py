"""Values for the Ruby expression translator: typed Python fragments and Ruby literals.

Each function returns a value or raises `Reject` with a reason a person can act on.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from enum import Enum

from tree_sitter import Node

from batch2flow.codegen.names import number_literal
from batch2flow.ruby.literals import exact_int
from batch2flow.ruby.nodes import text


class Reject(Exception):
    """The expression has no faithful Python translation; the message says why."""


class Kind(Enum):
    """What a value is known to be before the flow runs; ANY when only the run knows."""

    BOOL = "boolean"
    NIL = "nil"
    INT = "integer"
    FLOAT = "float"
    STR = "string"
    LIST = "array"
    DICT = "hash"
    ANY = "value"


NUMBERS = frozenset({Kind.INT, Kind.FLOAT})
#: Ruby's only false values are nil and false; Python's truth test agrees with Ruby's on these
#: kinds alone (0, "", [] and {} are true in Ruby)
TRUTH_AGREES = frozenset({Kind.BOOL, Kind.NIL})


@dataclass(frozen=True)
class Expr:
    #: Python source: an atom, or an operation wrapped in parentheses
    src: str
    #: what the value is known to be
    kind: Kind = Kind.ANY
    #: holds a Ruby symbol, which becomes a str: equal to a string in Python, never in Ruby
    symbolic: bool = False
    #: `src` is an operation we wrapped in parentheses
    wrapped: bool = False
    #: Python source true exactly when Ruby finds the value true, when shorter than testing `src`
    test: str | None = None

    @property
    def inner(self) -> str:
        """The source without our parentheses, for a place that takes any expression."""
        return self.src[1:-1] if self.wrapped else self.src


#: Ruby's truth test repeats an operand in Python, so the source of `a && b && c ...` grows with
#: the square of its length; nothing a person writes in a condition comes near this
MAX_SOURCE = 2000


def op(src: str, kind: Kind, symbolic: bool = False, test: str | None = None) -> Expr:
    if len(src) > MAX_SOURCE:
        raise Reject(f"the Python translation would be longer than {MAX_SOURCE} characters")
    return Expr(f"({src})", kind, symbolic, wrapped=True, test=test)


def constant(value: object, kind: Kind, symbolic: bool = False) -> Expr:
    """A literal; repr() is its only way into the generated code. A negative number stays bare:
    nothing binds tighter than its minus except `**`, attributes and subscripts, none of which
    is ever applied to a translated value."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Expr(number_literal(value), kind, symbolic)  # an integer of any length
    return Expr(repr(value), kind, symbolic)


_ATOMS = (ast.Name, ast.Attribute, ast.Subscript, ast.Call, ast.List, ast.Dict, ast.Constant)


def python_value(src: str, what: str) -> Expr:
    """A Python expression handed in by the caller (a scope entry), re-printed from its AST so
    no comment or stray bracket in it can swallow the code around it."""
    try:
        tree = ast.parse(src.strip(), mode="eval").body
    except SyntaxError:
        raise Reject(f"{what} maps to `{src}`, which is not a Python expression") from None
    try:
        source = ast.unparse(tree)
    except ValueError:  # ast.unparse writes an integer in decimal, refused past 4300 digits
        raise Reject(f"{what} holds an integer of more than 4300 digits") from None
    if isinstance(tree, _ATOMS):
        return Expr(source, _kind_of(tree))
    return op(source, _kind_of(tree))


def _kind_of(tree: ast.expr) -> Kind:
    if isinstance(tree, ast.Constant):
        value = tree.value
        if value is None:
            return Kind.NIL
        for python_type, kind in ((bool, Kind.BOOL), (int, Kind.INT), (float, Kind.FLOAT), (str, Kind.STR)):
            if isinstance(value, python_type):
                return kind
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, (ast.USub, ast.UAdd)):
        operand = _kind_of(tree.operand)
        return operand if operand in NUMBERS else Kind.ANY
    if isinstance(tree, ast.Compare) or (isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not)):
        return Kind.BOOL
    return {ast.List: Kind.LIST, ast.Dict: Kind.DICT}.get(type(tree), Kind.ANY)


_INT_BASES = {"0x": 16, "0b": 2, "0o": 8, "0d": 10}


def integer(raw: str) -> int:
    digits = raw.replace("_", "").lower()
    base = _INT_BASES.get(digits[:2], 0)
    if base:
        digits = digits[2:]
    elif len(digits) > 1 and digits.startswith("0"):
        base, digits = 8, digits[1:]  # Ruby reads 017 as octal
    try:
        return exact_int(digits, base or 10)
    except ValueError:
        raise Reject(f"integer literal `{raw}` is not translated") from None


def floating(raw: str) -> float:
    value = float(raw.replace("_", ""))
    if not math.isfinite(value):
        raise Reject(f"float literal `{raw}` is out of range")
    return value


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "b": "\b",
                   "e": "\x1b", "s": " ", "\n": ""}
_BYTE = re.compile(r"[0-7]{1,3}|x[0-9a-fA-F]{1,2}")
_UNICODE = re.compile(r"u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]{1,6}(?: [0-9a-fA-F]{1,6})*)\}")


def _escape(raw: str) -> str:
    """The characters one escape of a double-quoted Ruby string stands for."""
    body = raw[1:]
    if body in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[body]
    if _BYTE.fullmatch(body):
        code = int(body[1:], 16) if body[0] == "x" else int(body, 8)
        if code < 0x80:
            return chr(code)
        raise Reject(f"escape `{raw}` makes a binary (non-UTF-8) Ruby string")
    unicode = _UNICODE.fullmatch(body)
    if unicode:
        codes = [int(h, 16) for h in (unicode[1] or unicode[2]).split()]
        if all(c <= 0x10FFFF and not 0xD800 <= c <= 0xDFFF for c in codes):
            return "".join(map(chr, codes))
    elif len(body) == 1 and not body.isalnum():
        return body  # an escaped punctuation character stands for itself
    raise Reject(f"escape `{raw}` is not translated")


def string_value(node: Node) -> str:
    """The value of a string or quoted-symbol literal: `'...'`, `"..."`, `:'...'`, `:"..."`,
    and adjacent literals (`'a' 'b'`)."""
    pieces = string_pieces(node)
    if not all(isinstance(piece, str) for piece in pieces):
        raise Reject("string interpolation (`#{...}`) is not translated")
    return "".join(str(piece) for piece in pieces)


def string_pieces(node: Node) -> list[str | Node]:
    """A string literal as its text and its `#{...}` parts (interpolation nodes), in order."""
    if node.type == "chained_string":
        return [piece for part in node.named_children for piece in string_pieces(part)]
    opener = text(node.children[0]).lstrip(":") if node.children else ""
    if opener not in ("'", '"'):
        raise Reject(f"string literal `{opener}...` is not translated")
    out: list[str | Node] = []
    for part in node.named_children:
        raw = text(part)
        if part.type == "interpolation":
            out.append(part)
            continue
        if "\r" in raw:
            raise Reject("a carriage return inside a string literal: Ruby reads CRLF there as LF")
        if part.type == "escape_sequence" and opener == '"':
            out.append(_escape(raw))
        elif part.type == "string_content" and opener == "'":
            out.append(re.sub(r"\\([\\'])", r"\1", raw))  # the only escapes of '...'
        elif part.type == "string_content" and "\\" not in raw:
            out.append(raw)
        else:
            raise Reject(f"string part `{raw}` is not translated")
    return out


def word(node: Node) -> str:
    """One element of `%w[...]` or `%i[...]`, when it holds no escape."""
    raw = text(node)
    if any(c.type != "string_content" for c in node.named_children) or "\\" in raw or "\r" in raw:
        raise Reject(f"word `{raw}` is not translated")
    return raw
