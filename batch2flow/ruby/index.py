"""An index of the classes, modules and methods of every parsed file.

Ruby reopens classes freely, so definitions of one constant in several files are
merged. Constant references are resolved the way Ruby does: through the lexical
nesting (`cref`) first, then from the top level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from batch2flow.parsing import ParsedFile
from batch2flow.ruby import nodes

WORKER_MIXINS = frozenset({"Sidekiq::Job", "Sidekiq::Worker"})
ACTIVE_JOB_BASES = frozenset({"ActiveJob::Base", "ApplicationJob"})


@dataclass(frozen=True)
class MethodDef:
    #: qualified name of the owning class or module, "" at the top level
    owner: str
    name: str
    #: True for `def self.x` and methods inside `class << self`
    singleton: bool
    params: tuple[str, ...]
    file: ParsedFile
    node: Node
    #: lexical nesting at the definition, innermost last, for constant lookup
    cref: tuple[str, ...]
    #: per parameter: req, opt, rest, key, keyreq, keyrest or block
    param_kinds: tuple[str, ...] = ()
    #: per parameter: its default value's expression (`b = 1`, `key: 2`), else None
    param_defaults: tuple[Node | None, ...] = ()

    @property
    def line(self) -> int:
        return self.file.line_col(self.node)[0]

    @property
    def label(self) -> str:
        sep = "." if self.singleton else "#"
        return f"{self.owner}{sep}{self.name}" if self.owner else self.name

    def body_node(self) -> Node | None:
        """What holds the statements: a def's body; for a script (see ruby/scripts.py), the
        whole file or a rake task's block."""
        if self.node.type == "program":
            return self.node
        if self.node.type == "call":
            block = self.node.child_by_field_name("block")
            return block.child_by_field_name("body") if block is not None else None
        return self.node.child_by_field_name("body")

    def body(self) -> list[Node]:
        return nodes.body_statements(self.body_node())


@dataclass
class ClassInfo:
    name: str
    is_module: bool
    #: where the constant is first defined
    file: ParsedFile
    line: int
    superclass: str | None = None
    includes: list[str] = field(default_factory=list)
    #: `include X` as written, with the nesting it was written in; resolved into `includes`
    raw_includes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    methods: dict[str, MethodDef] = field(default_factory=dict)
    singleton_methods: dict[str, MethodDef] = field(default_factory=dict)
    #: names declared with attr_reader / attr_accessor (read back from `@name`)
    attributes: set[str] = field(default_factory=set)
    #: class-level DSL calls (`sidekiq_options`, `queue_as`, `retry_on`) kept as nodes
    dsl: list[tuple[str, tuple[Node, ...], ParsedFile]] = field(default_factory=list)


@dataclass
class CodeIndex:
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    #: methods defined outside any class (Ruby puts them on Object)
    top_methods: dict[str, MethodDef] = field(default_factory=dict)
    #: code outside every method: rake tasks and scripts' top-level statements
    scripts: list[MethodDef] = field(default_factory=list)
    #: qualified constant -> the expression assigned to it (`STEPS = [A, B].freeze`)
    constants: dict[str, Node] = field(default_factory=dict)

    def resolve(self, name: str, cref: tuple[str, ...]) -> str | None:
        """The qualified name `name` refers to from inside `cref`, if it is defined."""
        if name.startswith("::"):
            return name[2:] if name[2:] in self.classes else None
        for depth in range(len(cref), 0, -1):
            candidate = f"{cref[depth - 1]}::{name}"
            if candidate in self.classes:
                return candidate
        return name if name in self.classes else None

    def qualify(self, name: str, cref: tuple[str, ...]) -> str:
        """Resolved name, or the name as written (without a leading `::`)."""
        return self.resolve(name, cref) or name.removeprefix("::")

    def find_method(self, owner: str, name: str, singleton: bool) -> MethodDef | None:
        """Look a method up through the class, its superclasses and included modules."""
        seen: set[str] = set()
        queue = [owner]
        while queue:
            current = queue.pop(0)
            info = self.classes.get(current)
            if info is None or current in seen:
                continue
            seen.add(current)
            table = info.singleton_methods if singleton else info.methods
            if name in table:
                return table[name]
            queue.extend(info.includes)
            if info.superclass:
                queue.append(info.superclass)
        # methods defined at the top level are private methods of Object: any receiver has them
        return self.top_methods.get(name)

    def has_attribute(self, owner: str, name: str) -> bool:
        return any(
            name in self.classes[a].attributes for a in self.ancestors(owner) if a in self.classes
        )

    def ancestors(self, name: str) -> list[str]:
        out: list[str] = []
        queue = [name]
        while queue:
            current = queue.pop(0)
            if current in out:
                continue
            out.append(current)
            info = self.classes.get(current)
            if info is not None:
                queue.extend(info.includes)
                if info.superclass:
                    queue.append(info.superclass)
        return out

    def worker_kind(self, name: str) -> str | None:
        """'sidekiq' or 'active_job' when `name` is a job class, else None."""
        ancestors = self.ancestors(name)
        if any(a in WORKER_MIXINS for a in ancestors):
            return "sidekiq"
        if any(a in ACTIVE_JOB_BASES for a in ancestors):
            return "active_job"
        return None
