"""Sidekiq Enterprise periodic jobs: which worker classes Sidekiq starts on a cron.

They are registered in an initializer, at the top level of a file:

    Sidekiq.configure_server do |config|
      config.periodic do |mgr|
        mgr.register("0 3 * * *", NightlyReportWorker, retry: 2)
      end
    end

The `CodeIndex` keeps only definitions, so this reads the parsed files themselves.
"""

from __future__ import annotations

from tree_sitter import Node

from batch2flow.parsing import ParsedFile
from batch2flow.ruby import nodes
from batch2flow.ruby.index import CodeIndex


def schedules_from_files(files: list[ParsedFile], index: CodeIndex) -> dict[str, str]:
    """Fully qualified worker class -> cron, for every literal `mgr.register(cron, worker)`.

    A registration whose cron or worker is computed at run time is left out: the
    deployment then simply has no schedule. When one worker is registered twice, the
    first registration (in file order) wins.
    """
    found: dict[str, str] = {}
    for parsed in files:
        # every registration sits in a `periodic` block: a file without the word has none
        if b"periodic" in parsed.data:
            _visit(parsed.tree.root_node, index, found)
    return found


#: a node still to read, the lexical nesting around it (for constant lookup) and the block
#: parameter naming the periodic manager, if inside one
_Pending = tuple[Node, tuple[str, ...], "str | None"]


def _visit(root: Node, index: CodeIndex, found: dict[str, str]) -> None:
    """Walk every statement, blocks and class bodies included, depth first in source order
    (the first registration wins); a stack instead of recursion, so no depth is too deep."""
    stack = _children(root, (), None)
    while stack:
        node, cref, manager = stack.pop()
        if node.type in ("class", "module"):
            stack += _class_body(node, cref)
            continue
        call = nodes.as_call(node) if node.type == "call" else None
        if call is not None and call.method == "periodic" and call.block is not None:
            params = nodes.block_params(call.block)
            stack += _children(call.block, cref, params[0] if params else None)
            continue
        if call is not None and manager is not None and _is_register(call, manager):
            _record(call, cref, index, found)
        stack += _children(node, cref, manager)


def _children(node: Node, cref: tuple[str, ...], manager: str | None) -> list[_Pending]:
    """`node`'s children, last first: the order a stack pops them in source order."""
    return [(child, cref, manager) for child in reversed(node.named_children)]


def _class_body(node: Node, cref: tuple[str, ...]) -> list[_Pending]:
    written = nodes.constant_name(node.child_by_field_name("name"))
    body = node.child_by_field_name("body")
    if written is None or body is None:
        return []
    # the same qualification the indexer gives the class, so names resolve alike
    if written.startswith("::"):
        qualified = written[2:]
    else:
        qualified = f"{cref[-1]}::{written}" if cref else written
    return _children(body, (*cref, qualified), None)


def _is_register(call: nodes.Call, manager: str) -> bool:
    receiver = call.receiver
    return (
        call.method == "register" and len(call.args) >= 2
        and receiver is not None and receiver.type == "identifier" and nodes.text(receiver) == manager
    )


def _record(call: nodes.Call, cref: tuple[str, ...], index: CodeIndex, found: dict[str, str]) -> None:
    cron = call.args[0]
    if cron.type != "string" or (schedule := nodes.literal_string(cron)) is None:
        return
    worker = _worker_name(call.args[1], cref, index)
    if worker is not None:
        found.setdefault(worker, schedule)


def _worker_name(node: Node, cref: tuple[str, ...], index: CodeIndex) -> str | None:
    if node.type == "string":
        written = nodes.literal_string(node)
        # Sidekiq constantizes a class name string from the top level, not from where
        # `register` was written
        return None if not written else index.qualify(written, ())
    constant = nodes.constant_name(node)
    return None if constant is None else index.qualify(constant, cref)
