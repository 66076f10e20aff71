"""Shapes of Ruby the syntactic rules look for: enqueues, batches, `jobs` blocks, callbacks."""

from __future__ import annotations

from functools import lru_cache

from tree_sitter import Node, Query, QueryCursor

from batch2flow.lint.context import CALL, IDENTIFIER, LintContext, ancestors, of_types
from batch2flow.parsing import ParsedFile, ruby_language
from batch2flow.ruby import nodes
from batch2flow.ruby.nodes import Call

#: Sidekiq's own enqueue methods (ActiveJob's `perform_later` serialises its arguments itself)
SIDEKIQ_ENQUEUES = frozenset({"perform_async", "perform_in", "perform_at", "perform_bulk"})
ENQUEUES = SIDEKIQ_ENQUEUES | {"perform_later", "push", "push_bulk"}
#: iterating calls whose block runs once per item
LOOPS = frozenset({"each", "each_with_index", "each_with_object", "find_each", "find_in_batches",
                   "in_batches", "each_slice", "times", "map", "flat_map", "each_key", "each_value",
                   "upto", "downto", "step"})
DEFS = frozenset({"method", "singleton_method"})


def calls(ctx: LintContext) -> list[tuple[ParsedFile, Call]]:
    """Every method call of the tree (with a receiver, arguments or a block)."""
    return ctx.memo("calls", lambda: [(parsed, call) for parsed, node in ctx.nodes(("call",))
                                      if (call := nodes.as_call(node)) is not None])


def is_batch_new(node: Node | None) -> bool:
    """`Sidekiq::Batch.new(...)`."""
    call = nodes.as_call(node) if node is not None else None
    if call is None or call.method != "new":
        return False
    name = nodes.constant_name(call.receiver)
    return name is not None and name.removeprefix("::") == "Sidekiq::Batch"


def is_enqueue(call: Call) -> bool:
    if call.method in ("push", "push_bulk"):
        name = nodes.constant_name(call.receiver)
        return name is not None and name.removeprefix("::") == "Sidekiq::Client"
    return call.method in ENQUEUES


def enclosing_def(node: Node) -> Node | None:
    return next((a for a in ancestors(node) if a.type in DEFS), None)


def in_jobs_block(node: Node) -> Node | None:
    """The `x.jobs do ... end` call whose block holds `node`, up to the enclosing method."""
    for above in ancestors(node):
        if above.type in DEFS:
            return None
        if above.type in nodes.BLOCK_TYPES and above.parent is not None:
            call = nodes.as_call(above.parent)
            if call is not None and call.method == "jobs" and call.block is not None:
                return above.parent
    return None


def batch_locals(scope: Node) -> dict[str, Node]:
    """Locals (and instance variables) assigned `Sidekiq::Batch.new` in a method body."""
    found: dict[str, Node] = {}
    if b"Batch" not in (scope.text or b""):  # most methods: no need to look inside
        return found
    # the query finds the assignments to a name in C, in source order, as a walk would
    for _pattern, captures in QueryCursor(_assignments()).matches(scope):
        node, left, right = captures["assignment"][0], captures["left"][0], captures["right"][0]
        if is_batch_new(right):
            found.setdefault(nodes.text(left), node)
    return found


@lru_cache(maxsize=1)
def _assignments() -> Query:
    return Query(ruby_language(), "(assignment left: [(identifier) (instance_variable)] @left"
                                  " right: (_) @right) @assignment")


def scope_batch_locals(ctx: LintContext, scope: Node) -> dict[str, Node]:
    """`batch_locals(scope)`, read once per method however many rules and batches ask."""
    return ctx.memo(("batch locals", scope.id), lambda: batch_locals(scope))


def calls_by_receiver(ctx: LintContext, scope: Node) -> dict[str, list[Call]]:
    """The calls in `scope` with a receiver, by the receiver's text, in source order: one
    walk per method, not one per batch in it (a method may hold hundreds)."""
    def build() -> dict[str, list[Call]]:
        found: dict[str, list[Call]] = {}
        for node in of_types(scope, CALL):
            call = nodes.as_call(node)
            if call is not None and call.receiver is not None:
                found.setdefault(nodes.text(call.receiver), []).append(call)
        return found

    return ctx.memo(("calls by receiver", scope.id), build)


def identifiers(ctx: LintContext, scope: Node) -> dict[str, list[Node]]:
    """The identifiers in `scope` by name, in source order, from one walk per method."""
    def build() -> dict[str, list[Node]]:
        found: dict[str, list[Node]] = {}
        for node in of_types(scope, IDENTIFIER):
            found.setdefault(nodes.text(node), []).append(node)
        return found

    return ctx.memo(("identifiers", scope.id), build)


def receiver_name(call: Call) -> str | None:
    if call.receiver is None or call.receiver.type not in ("identifier", "instance_variable"):
        return None
    return nodes.text(call.receiver)


def inside(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


def enclosing_class_name(node: Node) -> str | None:
    """The qualified name of the class or module the node is written in."""
    names = []
    for above in ancestors(node):
        if above.type in ("class", "module"):
            name = nodes.constant_name(above.child_by_field_name("name"))
            if name is not None:
                names.append(name.removeprefix("::"))
    return "::".join(reversed(names)) or None

