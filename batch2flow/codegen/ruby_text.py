"""Ruby text as Python: `"Data pipeline #{source_id}"` built the way Ruby builds it.

`"#{x}"` calls `x.to_s`: nil gives "", a string itself, an integer its digits. Each
`#{...}` is translated by the expression translator (and so is refused where it is);
the text around it is a repr()'d literal. A value only the run knows goes through the
runtime's `ruby_to_s`, which writes it as Ruby would.
"""

from __future__ import annotations

from tree_sitter import Node

from batch2flow.codegen.ruby_expr import Scope, compiles
from batch2flow.codegen.ruby_expr_values import Expr, Kind, Reject, string_pieces
from batch2flow.codegen.ruby_expr_walk import Walker, short
from batch2flow.parsing import parse_snippet


def translate_text(ruby: str, scope: Scope) -> tuple[str | None, list[str]]:
    """Python for the text `ruby` gives (a string literal, interpolated or not, or a value
    written with `to_s`), or None and why not."""
    node = parse_snippet(ruby)
    if node is None:
        return None, [f"`{short(ruby)}` is not a single Ruby expression"]
    walker = Walker(scope)
    try:
        if node.type in ("string", "chained_string"):
            parts = [_piece(walker, piece) for piece in _merged(string_pieces(node))]
        else:
            parts = [_to_s(walker.expr(node))]
    except Reject as reason:
        return None, [*walker.notes, str(reason)]
    except RecursionError:
        return None, [*walker.notes, "the expression is nested too deeply"]
    result = " + ".join(part for part in parts if part) or repr("")
    if not compiles(result):
        return None, [*walker.notes, "the Python translation does not compile"]
    return result, walker.notes


def _merged(pieces: list[str | Node]) -> list[str | Node]:
    """Adjacent text as one literal, `#{}` (the empty string) left out."""
    out: list[str | Node] = []
    for piece in pieces:
        if not isinstance(piece, str) and not _inside(piece):
            continue
        if isinstance(piece, str) and out and isinstance(out[-1], str):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _inside(interpolation: Node) -> list[Node]:
    return [child for child in interpolation.named_children if child.type != "comment"]


def _piece(walker: Walker, piece: str | Node) -> str:
    if isinstance(piece, str):
        return repr(piece) if piece else ""
    inside = _inside(piece)
    if len(inside) > 1:
        raise Reject("several statements in one `#{...}` are not translated")
    return _to_s(walker.expr(inside[0]))


def _to_s(value: Expr) -> str:
    """Python source for Ruby's `value.to_s`."""
    if value.kind is Kind.STR:
        return value.src
    if value.kind is Kind.NIL:
        return ""
    if value.kind is Kind.INT:
        return f"str({value.inner})"
    if value.kind is Kind.BOOL:
        return f"('true' if {value.src} else 'false')"
    # a float, a collection or a value only the run knows: Ruby's spelling, at run time
    return f"ruby_to_s({value.inner})"
