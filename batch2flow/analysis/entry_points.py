"""Which methods begin a workflow: the real entry points, never a helper.

A method that builds a batch for its caller is a helper: it is handed the batch's jobs as
a block (`def with_batch(&block) ... batch.jobs(&block)`, `batch.jobs { yield }`), or it
returns the batch it built for the caller to fill (`b = build_batch(...); b.jobs do ... end`).
Read on its own it is an empty workflow whose parameters are `block` or `desc`; read from
its caller, the interpreter follows the call into it, so the caller begins the workflow.
A helper nothing in the tree calls stays a starter: what it builds is not dropped.
"""

from __future__ import annotations

from collections import defaultdict

from tree_sitter import Node

from batch2flow.analysis.lexical import (
    all_methods,
    builds_a_batch,
    callback_targets,
    creates_outermost_batch,
    sent,
    walk_calls,
)
from batch2flow.ruby import nodes
from batch2flow.ruby.index import CodeIndex, MethodDef

#: a method definition by where it is written (file, byte offset): the same under both of
#: a `module_function` method's names
Definition = tuple[str, int]


def where(method: MethodDef) -> Definition:
    return (method.file.path, method.node.start_byte)


def find_starters(index: CodeIndex) -> list[MethodDef]:
    """Methods that build a batch, or call a helper that does, and are neither batch
    callbacks nor helpers a caller in the tree uses, in file and line order."""
    callbacks = callback_targets(index)
    methods: dict[Definition, MethodDef] = {}
    for method in all_methods(index):
        # a `module_function` method is one definition with two names: keep `Mod.name`
        if method.label not in callbacks and (method.singleton or where(method) not in methods):
            methods[where(method)] = method
    builders = {key for key, m in methods.items() if creates_outermost_batch(m) is not None}
    builders = _constructors_handed_on(index, builders, methods)
    # only a method that hands its batch on can be a helper: look for callers of those only
    candidates = {key for key in builders if hands_batch_to_caller(methods[key])}
    callers = callers_of(index, methods, {methods[key].name for key in candidates})
    helpers = {key for key in candidates if callers[key]}
    starters = builders - helpers
    todo = sorted(helpers)
    while todo:
        for caller in sorted(callers[todo.pop()] - helpers - starters):
            if hands_batch_to_caller(methods[caller], frozenset(methods[key].name for key in helpers)):
                more = callers_of(index, methods, {methods[caller].name})
                if more[caller]:  # a helper built on a helper: its callers begin the workflow
                    callers[caller] = more[caller]
                    helpers.add(caller)
                    todo.append(caller)
                    continue
            starters.add(caller)
    return [methods[key] for key in sorted(starters)]


def _constructors_handed_on(index: CodeIndex, builders: set[Definition],
                            methods: dict[Definition, MethodDef]) -> set[Definition]:
    """`initialize` that builds the batch into an instance variable (`@batch =
    Sidekiq::Batch.new`) begins nothing itself: the object's methods that use it do
    (`Service.new(...).call`), and the interpreter runs `initialize` before them."""
    found = set(builders)
    for key in builders:
        method = methods[key]
        if method.name != "initialize" or method.singleton:
            continue
        held = {name for name in _batch_locals(method.body()) if name.startswith("@")}
        users = {other_key for other_key, other in methods.items()
                 if other.owner == method.owner and not other.singleton and other.name != "initialize"
                 and any(_mentions(other, name) for name in held)}
        # the object's entry methods: those no other method of the class calls
        calls = callers_of(index, methods, {methods[user].name for user in users})
        entries = {user for user in users if not any(methods[c].owner == method.owner for c in calls[user])}
        if entries:
            found = (found - {key}) | entries
    return found


def _mentions(method: MethodDef, name: str) -> bool:
    body = method.body_node()
    return body is not None and name.encode() in method.file.data[body.start_byte:body.end_byte]


def hands_batch_to_caller(method: MethodDef, helpers: frozenset[str] = frozenset()) -> bool:
    """Fills its batch with the caller's block (yields it, or calls or hands on its
    `&block`, inside a `jobs` block; or hands it to one of `helpers`, by name), or
    returns a batch it built. A block taken for anything else (a status callback) is no
    sign of a helper."""
    block = next((name for name, kind in zip(method.params, method.param_kinds, strict=False)
                  if kind == "block"), None)
    body_node = method.body_node()
    if body_node is not None and _uses_block(body_node, block, helpers, inside_jobs=False):
        return True
    body = method.body()
    if not body:
        return False
    last = body[-1]
    if last.type == "return":
        values = [child for arg in last.named_children for child in arg.named_children]
        last = values[0] if len(values) == 1 else last
    return last.type in ("identifier", "instance_variable") and nodes.text(last) in _batch_locals(body)


def _uses_block(node: Node, block: str | None, helpers: frozenset[str], inside_jobs: bool) -> bool:
    # a stack instead of recursion: the order of the walk does not change the answer
    stack = [(child, inside_jobs) for child in node.named_children]
    while stack:
        child, inside = stack.pop()
        if child.type in ("method", "singleton_method", "class", "module"):
            continue
        if inside and child.type == "yield":
            return True
        call = nodes.as_call(child) if child.type == "call" else None
        if call is not None and _hands_block(call, block, helpers, inside):
            return True
        jobs = call is not None and call.method == "jobs"
        stack += [(below, inside or jobs) for below in child.named_children]
    return False


def _hands_block(call: nodes.Call, block: str | None, helpers: frozenset[str], inside_jobs: bool) -> bool:
    """`jobs(&block)`, `block.call` inside `jobs`, or `helper(&block)` / `helper(&)`."""
    forwards = any(arg.type == "block_argument" and (not arg.named_children or (
        block is not None and nodes.text(arg.named_children[0]) == block)) for arg in call.args)
    if forwards and (call.method == "jobs" or call.method in helpers):
        return True
    receiver = call.receiver
    return (inside_jobs and block is not None and call.method == "call" and receiver is not None
            and nodes.text(receiver) == block)


def _batch_locals(body: list[Node]) -> set[str]:
    """Locals and instance variables assigned `Sidekiq::Batch.new` at the top of the body."""
    found = set()
    for statement in body:
        if statement.type != "assignment":
            continue
        left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
        if left is not None and builds_a_batch(right):
            found.add(nodes.text(left))
    return found


def callers_of(index: CodeIndex, methods: dict[Definition, MethodDef],
             names: set[str]) -> defaultdict[Definition, set[Definition]]:
    """Definition -> the definitions whose bodies call it, for methods of these names
    (read lexically; a body whose text holds none of the names is not walked)."""
    found: defaultdict[Definition, set[Definition]] = defaultdict(set)
    wanted = [name.encode() for name in names]
    for key, method in methods.items():
        body = method.body_node()
        text = method.file.data[body.start_byte:body.end_byte] if body is not None else b""
        if body is None or not any(name in text for name in wanted):
            continue
        for node in [call for call, _ in walk_calls(body)] + _bare_names(body, set(method.params)):
            target = _resolve(index, method, node)
            if target is None or target.name not in names:
                continue
            if where(target) != key and where(target) in methods:
                found[where(target)].add(key)
    return found


def _bare_names(node: Node, locals_: set[str]) -> list[Node]:
    """Identifiers that are no local variable: calls without receiver and arguments
    (`b = build_batch`), which the parser cannot tell from a variable."""
    found: list[Node] = []
    # depth first in source order, as Ruby reads an assignment before the names after it
    stack = list(reversed(node.named_children))
    while stack:
        child = stack.pop()
        if child.type in ("method", "singleton_method", "class", "module"):
            continue
        if child.type == "assignment":
            left = child.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                locals_.add(nodes.text(left))
        if child.type == "identifier" and nodes.text(child) not in locals_:
            found.append(child)
        stack += reversed(child.named_children)
    return found


def _resolve(index: CodeIndex, method: MethodDef, node: Node) -> MethodDef | None:
    if node.type == "identifier":
        return index.find_method(method.owner, nodes.text(node), method.singleton)
    call = nodes.as_call(node)
    if call is None:
        return None
    call = sent(call)  # `send(:step)` calls `step`
    receiver = call.receiver
    if receiver is None or receiver.type == "self":
        return index.find_method(method.owner, call.method, method.singleton)
    if nodes.text(receiver) == "self.class":
        return index.find_method(method.owner, call.method, True)
    name = nodes.constant_name(receiver)
    if name is not None:
        owner = index.resolve(name, method.cref)
        return index.find_method(owner, call.method, True) if owner else None
    inner = nodes.as_call(receiver) if receiver.type == "call" else None
    if inner is not None and inner.method == "new":
        owner_name = nodes.constant_name(inner.receiver)
        owner = index.resolve(owner_name, method.cref) if owner_name else None
        return index.find_method(owner, call.method, False) if owner else None
    return None
