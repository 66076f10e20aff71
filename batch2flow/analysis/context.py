"""Where the interpreter stands while it reads a body of Ruby code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from tree_sitter import Node

from batch2flow.analysis.values import Value
from batch2flow.ir import Loop
from batch2flow.ruby.index import MethodDef


@dataclass(frozen=True)
class Context:
    """The Sidekiq state around the code being read; replaced, never mutated."""

    #: the batch whose `jobs` block we are in: new batches become its children
    open_batch: str | None = None
    #: the batch the running job belongs to (what `batch` returns inside `perform`)
    own_batch: str | None = None
    #: inside a callback, the batch its `status` describes
    status_batch: str | None = None
    #: id of the job or callback whose code this is; None in the starter
    actor: str | None = None
    #: Ruby conditions the current code sits under
    conditions: tuple[str, ...] = ()
    #: inside a loop: everything enqueued here happens many times
    fan_out: bool = False
    #: the innermost loop, when it is known (a block loop or a Ruby `for`)
    loop: Loop | None = None
    #: (method label, node id) of the code being run, outermost first, to stop recursion
    stack: tuple[tuple[str, str | None], ...] = ()

    def under(self, condition: str) -> Context:
        return replace(self, conditions=(*self.conditions, condition))

    def condition_text(self) -> str | None:
        return " && ".join(self.conditions) if self.conditions else None

    def on_stack(self, label: str) -> tuple[str, str | None] | None:
        for entry in self.stack:
            if entry[0] == label:
                return entry
        return None


@dataclass
class Block:
    """A block given to a method call (`with_batch do ... end`), run where the method
    yields it or hands it on (`batch.jobs(&block)`): in the caller's frame, under the
    Sidekiq state of the place it runs."""

    node: Node
    #: the frame of the code that wrote the block: its locals are the block's
    frame: Frame
    #: set once the called method ran it; a block no method ran is read where it stands
    used: bool = False


@dataclass
class Frame:
    """Variables of one running method. Instance variables are shared by the methods
    of one object, so a helper method called on `self` sees the same `@batch`."""

    method: MethodDef | None
    #: qualified name of `self`'s class ("" at the top level)
    self_class: str
    cref: tuple[str, ...]
    locals: dict[str, Value] = field(default_factory=dict)
    ivars: dict[str, Value] = field(default_factory=dict)
    #: the block this method was called with, and the name its `&block` parameter gives
    #: it ("" for an anonymous `&`, or when only `yield` reaches it)
    block: Block | None = None
    block_name: str = ""

    @property
    def singleton(self) -> bool:
        return self.method.singleton if self.method is not None else False

    def lookup(self, key: str) -> Value:
        if key.startswith("@") or key.startswith("self."):
            return self.ivars.get(_ivar_key(key))
        return self.locals.get(key)

    @contextmanager
    def block_locals(self, names: list[str], values: list[Value] | None = None) -> Iterator[None]:
        """A block's parameters are locals of the block only: `find_in_batches do |batch|`
        names a record list, not the job's Sidekiq batch; outer locals come back after."""
        saved = {name: self.locals[name] for name in names if name in self.locals}
        given = values or []
        for index, name in enumerate(names):
            self.locals[name] = given[index] if index < len(given) else None
        try:
            yield
        finally:
            for name in names:
                self.locals.pop(name, None)
            self.locals.update(saved)

    def has_local(self, name: str) -> bool:
        return name in self.locals

    def assign(self, key: str, value: Value) -> None:
        if key.startswith("@") or key.startswith("self."):
            self.ivars[_ivar_key(key)] = value
        else:
            self.locals[key] = value


def _ivar_key(key: str) -> str:
    """`self.batch = x` goes through an attribute writer to `@batch`."""
    return "@" + key.removeprefix("self.") if key.startswith("self.") else key
