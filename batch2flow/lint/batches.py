"""Which receivers hold a `Sidekiq::Batch`, and where callbacks are registered on one."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow.lint.context import ASSIGNMENT, LintContext, of_types
from batch2flow.lint.ruby import (
    batch_locals,
    calls,
    enclosing_class_name,
    enclosing_def,
    is_batch_new,
    receiver_name,
    scope_batch_locals,
)
from batch2flow.parsing import ParsedFile
from batch2flow.ruby import nodes
from batch2flow.ruby.nodes import Call


def batch_receiver(ctx: LintContext, parsed: ParsedFile, call: Call) -> str | None:
    """The receiver's text when it holds a batch: a local or instance variable assigned
    `Sidekiq::Batch.new` in the same method, `batch` inside a job class, or the chained
    `Sidekiq::Batch.new(...)` itself."""
    if call.receiver is None:
        return None
    if is_batch_new(call.receiver):
        return nodes.text(call.receiver)
    name = receiver_name(call)
    if name is None:  # most receivers: no need to look for the method around the call
        return None
    scope = enclosing_def(call.node)
    if scope is None:
        return None
    held = scope_batch_locals(ctx, scope)
    ivars = ctx.memo(("batch ivars", parsed.path), lambda: _file_batch_ivars(parsed))
    if name in held or (name.startswith("@") and name in ivars):
        return name
    if name == "batch" and not _assigned(scope, name) and _in_job_class(ctx, call.node):
        return name
    return None


def _file_batch_ivars(parsed: ParsedFile) -> dict[str, Node]:
    return {k: v for k, v in batch_locals(parsed.tree.root_node).items() if k.startswith("@")}


def _assigned(scope: Node, name: str) -> bool:
    for node in of_types(scope, ASSIGNMENT):
        left = node.child_by_field_name("left")
        if left is not None and nodes.text(left) == name:
            return True
    return False


def _in_job_class(ctx: LintContext, node: Node) -> bool:
    name = enclosing_class_name(node)
    return name is not None and ctx.index.worker_kind(name) is not None


def callback_registrations(ctx: LintContext) -> Iterator[tuple[ParsedFile, Call]]:
    """`x.on(event, target, ...)` on a batch, or with a literal batch event."""
    for parsed, call in calls(ctx):
        if call.method != "on" or len(call.args) < 2:
            continue
        event = nodes.literal_string(call.args[0])
        if event in ("success", "complete", "death") or batch_receiver(ctx, parsed, call) is not None:
            yield parsed, call
