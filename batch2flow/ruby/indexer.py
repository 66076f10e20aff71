"""Build the `CodeIndex` from parsed files: one walk over each tree's definitions."""

from __future__ import annotations

from tree_sitter import Node

from batch2flow.parsing import ParsedFile
from batch2flow.ruby import nodes
from batch2flow.ruby.index import ClassInfo, CodeIndex, MethodDef
from batch2flow.ruby.scripts import rake_defs, script_entries

#: class-body calls that configure a job class
JOB_DSL = frozenset({"sidekiq_options", "queue_as", "retry_on", "discard_on", "sidekiq_retry_in"})


def build_index(files: list[ParsedFile]) -> CodeIndex:
    index = CodeIndex()
    pending_parents: list[tuple[ClassInfo, str, tuple[str, ...]]] = []
    for parsed in files:
        _walk_body(index, parsed, parsed.tree.root_node, (), None, False, pending_parents)
        index.scripts += script_entries(parsed)
        for node in rake_defs(parsed):
            if not nodes.text(node).startswith("def self."):
                _define_method(index, parsed, node, (), None, False)
    # superclasses and mixins are resolved once every file has declared its constants
    for info, written, cref in pending_parents:
        info.superclass = index.qualify(written, cref)
    for info in index.classes.values():
        info.includes = [index.qualify(name, cref) for name, cref in info.raw_includes]
    return index


def _walk_body(
    index: CodeIndex,
    parsed: ParsedFile,
    node: Node,
    cref: tuple[str, ...],
    owner: ClassInfo | None,
    singleton: bool,
    pending: list[tuple[ClassInfo, str, tuple[str, ...]]],
) -> None:
    # after a bare `module_function` (or `extend self`), a module's methods are its own too
    both = False
    for child in node.named_children:
        kind = child.type
        if kind in ("class", "module"):
            _define_class(index, parsed, child, cref, pending)
        elif kind == "singleton_class" and owner is not None:
            body = child.child_by_field_name("body")
            if body is not None:
                _walk_body(index, parsed, body, cref, owner, True, pending)
        elif kind in ("method", "singleton_method"):
            _define_method(index, parsed, child, cref, owner, singleton or kind == "singleton_method")
            if both and kind == "method" and not singleton:
                _define_method(index, parsed, child, cref, owner, True)
        elif kind in ("body_statement", "begin_block", "end_block"):
            _walk_body(index, parsed, child, cref, owner, singleton, pending)
        else:
            both = _statement(index, parsed, child, cref, owner) or both


def _statement(index: CodeIndex, parsed: ParsedFile, node: Node, cref: tuple[str, ...],
               owner: ClassInfo | None) -> bool:
    """A statement of a class body or the top level: a DSL call, a constant, or a bare
    `module_function` / `extend self` (True: the module's methods are its own too)."""
    if owner is not None and owner.is_module and _shares_methods(node):
        return True
    if node.type == "call" and owner is not None:
        _class_dsl(owner, parsed, node, cref)
    elif node.type == "assignment":
        _define_constant(index, node, owner)
    return False


def _define_constant(index: CodeIndex, node: Node, owner: ClassInfo | None) -> None:
    """`STEPS = [...]` in a class body or at the top level."""
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or left.type != "constant":
        return
    name = nodes.text(left)
    index.constants.setdefault(f"{owner.name}::{name}" if owner else name, right)


def _define_class(
    index: CodeIndex,
    parsed: ParsedFile,
    node: Node,
    cref: tuple[str, ...],
    pending: list[tuple[ClassInfo, str, tuple[str, ...]]],
) -> None:
    written = nodes.constant_name(node.child_by_field_name("name"))
    if written is None:
        return
    if written.startswith("::"):
        qualified = written[2:]
    else:
        qualified = f"{cref[-1]}::{written}" if cref else written
    info = index.classes.get(qualified)
    if info is None:
        info = ClassInfo(qualified, node.type == "module", parsed, parsed.line_col(node)[0])
        index.classes[qualified] = info
    superclass = node.child_by_field_name("superclass")
    if superclass is not None and superclass.named_children:
        name = nodes.constant_name(superclass.named_children[0])
        if name is not None:
            pending.append((info, name, cref))
    body = node.child_by_field_name("body")
    if body is not None:
        _walk_body(index, parsed, body, (*cref, qualified), info, False, pending)


def _define_method(
    index: CodeIndex,
    parsed: ParsedFile,
    node: Node,
    cref: tuple[str, ...],
    owner: ClassInfo | None,
    singleton: bool,
) -> None:
    name_node = node.child_by_field_name("name")
    if name_node is None:
        return
    params_node = node.child_by_field_name("parameters")
    declared = [p for p in params_node.named_children if p.type in _PARAM_KINDS] if params_node else []
    method = MethodDef(
        owner.name if owner else "", nodes.text(name_node), singleton,
        tuple(_param_name(p) for p in declared), parsed, node, cref,
        tuple(_param_kind(p) for p in declared),
        tuple(p.child_by_field_name("value") for p in declared),
    )
    if owner is None:
        index.top_methods.setdefault(method.name, method)
    else:
        table = owner.singleton_methods if singleton else owner.methods
        table.setdefault(method.name, method)


def _shares_methods(node: Node) -> bool:
    """`module_function` with no names, or `extend self`."""
    if node.type not in ("identifier", "call"):
        return False
    text = " ".join(nodes.text(node).split())
    return text in ("module_function", "extend self")


_PARAM_KINDS = {
    "identifier": "req", "optional_parameter": "opt", "splat_parameter": "rest",
    "keyword_parameter": "key", "hash_splat_parameter": "keyrest", "block_parameter": "block",
}


def _param_kind(param: Node) -> str:
    kind = _PARAM_KINDS[param.type]
    # `name:` with no default is a required keyword
    if kind == "key" and param.child_by_field_name("value") is None:
        return "keyreq"
    return kind


def _param_name(param: Node) -> str:
    """`a`, `b = 1`, `*rest`, `key:`, `**opts`, `&blk` all give their bare name."""
    name = param.child_by_field_name("name")
    return nodes.text(name) if name is not None else nodes.text(param).lstrip("*&").rstrip(":")


def _class_dsl(owner: ClassInfo, parsed: ParsedFile, node: Node, cref: tuple[str, ...]) -> None:
    call = nodes.as_call(node)
    if call is None or call.receiver is not None:
        return
    if call.method in ("include", "prepend", "extend") and call.args:
        for arg in call.args:
            name = nodes.constant_name(arg)
            if name is not None and call.method != "extend":
                owner.raw_includes.append((name, cref))
    elif call.method in ("attr_accessor", "attr_reader"):
        owner.attributes.update(n for n in map(nodes.literal_string, call.args) if n)
    elif call.method in JOB_DSL:
        owner.dsl.append((call.method, call.args, parsed))
