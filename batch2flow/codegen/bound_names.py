"""Every name a generated flow reads is bound on every path that reaches the read.

A future bound inside an `if` and read after it is an UnboundLocalError the day the
condition is false. A callback block starts in its own thread the moment it is
defined, so a flow variable it reads must be bound before its `def`, not merely
before it happens to run. Only names the flow function binds itself are checked:
module-level tasks, stubs, imports and builtins are always there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TypeGuard

_SCOPES = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp, ast.Lambda)


def unbound_reads(source: str) -> list[str]:
    """`line: name` for each read of a flow-local name that may be unbound there."""
    problems: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            _Checker(_bound_anywhere(node), problems).function(node, set())
    return problems


class _Checker:
    def __init__(self, local: set[str], problems: list[str]) -> None:
        #: names the function binds somewhere (at any depth): the only ones that can be unbound
        self.local = local
        self.problems = problems

    def function(self, func: ast.FunctionDef | ast.AsyncFunctionDef, outer: set[str]) -> None:
        self.reads(func.decorator_list, outer)
        bound = outer | {a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg)}
        self.block(func.body, bound)

    def block(self, body: list[ast.stmt], bound: set[str]) -> set[str]:
        """Walk statements in order; return the names bound on every path through them."""
        bound = set(bound)
        for statement in body:
            if isinstance(statement, ast.If):
                self.reads([statement.test], bound)
                bound = self.block(statement.body, bound) & self.block(statement.orelse, bound)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.function(statement, bound)
                bound.add(statement.name)
            elif isinstance(statement, ast.Assign):
                self.reads([statement.value], bound)
                bound |= _targets(statement.targets)
            else:
                self.reads([statement], bound)
                bound |= _stores(statement)
        return bound

    def reads(self, nodes: Iterable[ast.AST], bound: set[str]) -> None:
        for node in nodes:
            self._read(node, bound)

    def _read(self, node: ast.AST, bound: set[str]) -> None:
        if isinstance(node, _SCOPES):
            # names a comprehension or lambda binds are its own
            own = _stores(node)
            if isinstance(node, ast.Lambda):
                own |= {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
            bound = bound | own
        if _is_read(node) and node.id in self.local and node.id not in bound:
            self.problems.append(f"{node.lineno}: {node.id}")
        for child in ast.iter_child_nodes(node):
            self._read(child, bound)


def _bound_anywhere(func: ast.FunctionDef) -> set[str]:
    found = _stores(func)
    found |= {n.name for n in ast.walk(func) if isinstance(n, ast.FunctionDef) and n is not func}
    return found | {a.arg for a in ast.walk(func) if isinstance(a, ast.arg)}


def _is_read(node: ast.AST) -> TypeGuard[ast.Name]:
    return isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)


def _stores(node: ast.AST) -> set[str]:
    """The names `node` (and everything inside it) assigns to."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _targets(targets: Iterable[ast.AST]) -> set[str]:
    return set().union(*(_stores(target) for target in targets))
