"""Callback options read with a symbol key.

What it does:
    Finds `options[:key]` (and `options.fetch(:key)`, `dig`, `key?`) in batch callback
    methods, where `options` is the callback's second parameter.

Why is this bad:
    Sidekiq stores the options as JSON: whatever keys they were given with, they come
    back with string keys, so `options[:key]` is always nil.

Example:
    ```ruby
    def on_success(status, options)
      Import.find(options[:import_id]).finish!
    end
    ```
    Use instead (`--fix` rewrites it):
    ```ruby
    def on_success(status, options)
      Import.find(options['import_id']).finish!
    end
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext, finding, of_types, replace_node
from batch2flow.lint.graph_views import callbacks
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.ruby import nodes
from batch2flow.ruby.index import MethodDef

HELP = "read callback options with string keys: options['key']"
READERS = frozenset({"fetch", "dig", "key?", "has_key?", "include?", "delete"})
_READS = frozenset({"element_reference", "call"})
_ASSIGNMENTS = frozenset({"assignment", "operator_assignment"})


@rule(diag.SYMBOL_OPTIONS_READ, help=HELP, fixable=True, reads_graph=True)
def check(ctx: LintContext) -> Iterator[Finding]:
    for method in _callback_methods(ctx):
        if len(method.params) < 2 or _reassigned(method, method.params[1]):
            continue  # `options = options.symbolize_keys` makes symbol reads right
        for symbol in _symbol_reads(method.node, method.params[1]):
            key = nodes.text(symbol)[1:]
            yield finding(diag.SYMBOL_OPTIONS_READ, method.file, symbol,
                          f"callback options come back from JSON with string keys: "
                          f"`{method.params[1]}[:{key}]` is always nil",
                          edits=(replace_node(method.file, symbol, repr(key)),))


def _callback_methods(ctx: LintContext) -> Iterator[MethodDef]:
    """Methods registered as callbacks, and every `on_success/complete/death` anywhere."""
    seen: set[int] = set()
    found: list[MethodDef | None] = []
    for callback in callbacks(ctx):
        klass, _, name = callback.target.rpartition("#")
        found.append(ctx.index.find_method(klass, name, False))
    for info in ctx.index.classes.values():
        found += [m for name, m in info.methods.items() if name in ("on_success", "on_complete", "on_death")]
    for method in found:
        if method is not None and method.node.id not in seen:
            seen.add(method.node.id)
            yield method


def _symbol_reads(scope: Node, name: str) -> Iterator[Node]:
    for node in of_types(scope, _READS):
        if node.type == "element_reference":
            target = node.child_by_field_name("object")
            index = [c for c in node.named_children if c != target]
            if target is not None and nodes.text(target) == name and index and _plain(index[0]):
                yield index[0]
        call = nodes.as_call(node) if node.type == "call" else None
        if call and call.method in READERS and call.receiver is not None and call.args \
                and nodes.text(call.receiver) == name and _plain(call.args[0]):
            yield call.args[0]


def _plain(node: Node) -> bool:
    """`:import_id`, a symbol whose string form is certain."""
    return node.type == "simple_symbol"


def _reassigned(method: MethodDef, name: str) -> bool:
    for node in of_types(method.node, _ASSIGNMENTS):
        left = node.child_by_field_name("left")
        if left is not None and nodes.text(left) == name:
            return True
    return False
