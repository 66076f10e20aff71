"""The job classes of the tree with what a flow needs of them: queue, retries, arguments."""

from __future__ import annotations

import textwrap

from tree_sitter import Node

from batch2flow.ir import Span, Worker
from batch2flow.ruby import nodes
from batch2flow.ruby.index import ClassInfo, CodeIndex, MethodDef


def worker_table(index: CodeIndex) -> list[Worker]:
    workers = []
    for name in sorted(index.classes):
        info = index.classes[name]
        kind = index.worker_kind(name)
        if kind is None or info.is_module:
            continue
        perform = index.find_method(name, "perform", False)
        queue, retry = _options(index, info)
        workers.append(Worker(
            name, kind, Span(info.file.path, info.line, 1),
            perform.params if perform else (), queue, retry,
            perform.param_kinds if perform else (),
            _source(perform),
            retry_on=_uses_retry_on(index, info),
        ))
    return workers


def _source(method: MethodDef | None) -> str | None:
    """The method's Ruby as written, without the indentation of the class around it."""
    if method is None:
        return None
    column = method.file.line_col(method.node)[1]
    return textwrap.dedent(" " * (column - 1) + method.file.text(method.node))


def _options(index: CodeIndex, info: ClassInfo) -> tuple[str | None, int | bool | None]:
    """Queue and retries, the subclass's own settings winning over inherited ones."""
    queue: str | None = None
    retry: int | bool | None = None
    for ancestor in reversed(index.ancestors(info.name)):
        owner = index.classes.get(ancestor)
        for method, args, _file in owner.dsl if owner else []:
            pairs = dict(nodes.hash_pairs(args))
            if method == "sidekiq_options":
                queue = _literal(pairs.get("queue")) or queue
                retry = _retry(pairs.get("retry"), retry)
            elif method == "queue_as" and args:
                queue = nodes.literal_string(args[0]) or queue
            elif method == "retry_on":
                retry = _retry(pairs.get("attempts"), retry)
    return queue, retry


def _uses_retry_on(index: CodeIndex, info: ClassInfo) -> bool:
    """ActiveJob's `retry_on`, in the class or one it inherits from."""
    owners = [index.classes.get(ancestor) for ancestor in index.ancestors(info.name)]
    return any(method == "retry_on" for owner in owners if owner for method, _args, _file in owner.dsl)


def _literal(node: Node | None) -> str | None:
    return nodes.literal_string(node) if node is not None else None


def _retry(node: Node | None, current: int | bool | None) -> int | bool | None:
    if node is None:
        return current
    text = nodes.text(node)
    if text in ("true", "false"):
        return text == "true"
    # a count of more digits than any Sidekiq reaches is not read (Python's int() and
    # json.dumps stop at 4300 digits; the count only names retries in a comment)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= _RETRY_DIGITS else current


_RETRY_DIGITS = 18
