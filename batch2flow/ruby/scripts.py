"""Code that runs outside every method: the blocks of rake tasks (`task :sync do ... end`,
inside `namespace`s) and the top-level statements of any other file (a script in `bin/`
or `script/`, an initializer, `db/seeds.rb`). Each is a `MethodDef` with no owner, named
as a person runs it (`rake billing:close`, `bin/reindex`), so the analysis can begin a
workflow there like at any method: these are an app's entry points.
"""

from __future__ import annotations

from tree_sitter import Node

from batch2flow.parsing import ParsedFile
from batch2flow.ruby import nodes
from batch2flow.ruby.index import MethodDef

#: statements that only define or load: a file of nothing else is no script
_DEFINITIONS = frozenset({"class", "module", "method", "singleton_method", "comment"})
_LOADS = frozenset({"require", "require_relative", "load", "autoload"})


def script_entries(parsed: ParsedFile) -> list[MethodDef]:
    root = parsed.tree.root_node
    if _is_rake(parsed):
        return [_entry(parsed, f"rake {name}", node) for name, node in _tasks(root, ())]
    if any(_runs_something(child) for child in root.named_children):
        return [_entry(parsed, parsed.path.removesuffix(".rb"), root)]
    return []


def _entry(parsed: ParsedFile, name: str, node: Node) -> MethodDef:
    return MethodDef("", name, False, (), parsed, node, ())


def _tasks(node: Node, namespace: tuple[str, ...]) -> list[tuple[str, Node]]:
    """(`ns:task`, the `task` call) of every task with a block below `node`."""
    found: list[tuple[str, Node]] = []
    for child in nodes.body_statements(node) if node.type != "program" else node.named_children:
        call = nodes.as_call(child) if child.type == "call" else None
        if call is None or call.receiver is not None or call.block is None or not call.args:
            continue
        name = _task_name(call.args[0])
        if name is None:
            continue
        if call.method == "namespace":
            found += _tasks(call.block.child_by_field_name("body") or call.block, (*namespace, name))
        elif call.method == "task":
            found.append((":".join((*namespace, name)), child))
    return found


def _task_name(arg: Node) -> str | None:
    """`:sync`, `"sync"`, `sync: :environment`, `:sync => [:environment]`."""
    if arg.type == "pair":
        key = arg.child_by_field_name("key")
        if key is None:
            return None
        return nodes.text(key).lstrip(":").rstrip(":").strip("'\"") or None
    return nodes.literal_string(arg)


def _runs_something(statement: Node) -> bool:
    if statement.type in _DEFINITIONS:
        return False
    call = nodes.as_call(statement) if statement.type in ("call", "identifier") else None
    return call is None or call.receiver is not None or call.method not in _LOADS


def rake_defs(parsed: ParsedFile) -> list[Node]:
    """`def`s written inside a rake file's `namespace` blocks: Ruby defines them on the
    main object, so the tasks call them as top-level methods."""
    if not _is_rake(parsed):
        return []
    found: list[Node] = []
    todo = [parsed.tree.root_node]
    while todo:
        node = todo.pop()
        for child in node.named_children:
            if child.type == "method":
                found.append(child)
            elif child.type not in ("class", "module", "singleton_method"):
                todo.append(child)
    return sorted(found, key=lambda n: n.start_byte)


def _is_rake(parsed: ParsedFile) -> bool:
    return parsed.path.endswith(".rake") or parsed.path.rsplit("/", 1)[-1] == "Rakefile"
