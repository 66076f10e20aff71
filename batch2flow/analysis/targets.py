"""What the target of `batch.on(event, target)` names, and what to say when it is not found.

A class written as a constant (`Callback`) is looked up lexically, as Ruby does, and
Sidekiq stores its full name. A string (`'Callback#done'`) is kept as written and
constantized by Sidekiq when the callback runs, from the top level: inside
`module Billing`, `'Callback#done'` does not find `Billing::Callback`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from tree_sitter import Node

from batch2flow.analysis.context import Frame
from batch2flow.analysis.values import ConstValue
from batch2flow.ruby import nodes
from batch2flow.ruby.index import CodeIndex


@dataclass(frozen=True)
class Target:
    #: qualified class name ("" for a placeholder)
    klass: str
    method: str
    #: only known at run time
    placeholder: bool
    #: written as a string, so Sidekiq resolves it from the top level
    string: bool = False

    @property
    def label(self) -> str:
        return f"{self.klass}#{self.method}"


def resolve_target(index: CodeIndex, node: Node, event: str, frame: Frame) -> Target:
    """The target of `on(event, node)`: `Klass`, `'Klass#meth'`, `self.class`, a variable."""
    written = nodes.literal_string(node)
    default = f"on_{event}"
    if written is not None:
        klass, _, method = written.partition("#")
        return Target(klass.removeprefix("::"), method or default, False, string=True)
    name = nodes.constant_name(node)
    if name is not None:
        return Target(index.qualify(name, frame.cref), default, False)
    if nodes.text(node) == "self.class" or node.type == "self":
        return Target(frame.self_class, default, False)
    if node.type in ("identifier", "instance_variable"):
        held = frame.lookup(nodes.text(node))
        if isinstance(held, ConstValue):
            return Target(held.name, default, False)
    interpolated = _own_class_interpolated(node, frame)
    if interpolated is not None:
        klass, _, method = interpolated.partition("#")
        return Target(klass.removeprefix("::"), method or default, False, string=True)
    return Target("", "", True)


#: what names the class the code runs in, inside `#{...}`: in an instance method and in a
#: class method (where `self` is the class)
_OWN_CLASS = frozenset({"self.class.name", "self.class.to_s", "self.class"})
_OWN_CLASS_SINGLETON = frozenset({"name", "self.name", "to_s", "self.to_s", "self"})


def _own_class_interpolated(node: Node, frame: Frame) -> str | None:
    """`"#{self.class.name}#done"` (or `"#{name}#done"` in a class method): the string with
    the class the code runs in put in; None when anything else is interpolated."""
    if node.type != "string" or not frame.self_class:
        return None
    known = _OWN_CLASS | (_OWN_CLASS_SINGLETON if frame.singleton else frozenset())
    text = ""
    for part in node.named_children:
        if part.type == "string_content":
            text += nodes.text(part)
        elif part.type == "interpolation" and len(part.named_children) == 1 \
                and " ".join(nodes.text(part.named_children[0]).split()) in known:
            text += frame.self_class
        else:
            return None
    return text


def not_found(index: CodeIndex, target: Target, frame: Frame) -> str:
    """The B2F102 message for a target whose class or method is not in the scanned files."""
    if index.resolve(target.klass, ()) is None:
        where = " from the top level, where Sidekiq looks a string target up" if target.string else ""
        message = f"callback target '{target.label}': class not found{where}"
        if target.string:
            message += " (Sidekiq raises NameError when the callback runs)"
        close = _close_class(index, target, frame)
    else:
        message = f"callback target '{target.label}': method not found in the scanned files"
        close = _close_method(index, target)
    return message + (f"; did you mean {close}?" if close else "")


def _close_class(index: CodeIndex, target: Target, frame: Frame) -> str | None:
    """The class the author most likely meant: the one lexical lookup finds (a string
    written inside the module that defines it), else a near spelling."""
    lexical = index.resolve(target.klass, frame.cref) if target.string else None
    spelt = difflib.get_close_matches(target.klass, list(index.classes), n=1)
    klass = lexical or (spelt[0] if spelt else None)
    if klass is None:
        return None
    method = index.find_method(klass, target.method, False)
    if method is not None:
        return f"'{klass}#{target.method}' ({method.file.path}:{method.line})"
    info = index.classes[klass]
    return f"'{klass}' ({info.file.path}:{info.line})"


def _close_method(index: CodeIndex, target: Target) -> str | None:
    info = index.classes[index.resolve(target.klass, ()) or target.klass]
    close = difflib.get_close_matches(target.method, info.methods, n=1)
    if not close:
        return None
    method = info.methods[close[0]]
    return f"'{target.klass}#{close[0]}' ({method.file.path}:{method.line})"
