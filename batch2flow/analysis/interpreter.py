"""Reads Ruby method bodies the way Sidekiq would run them, statement by statement.

This module handles control flow (sequence, branches, loops, early returns); what
calls mean (batches, enqueues, callbacks, method calls) lives in `calls.py`.
Branches are not decided: both sides are read, and what they enqueue carries the
branch's condition.
"""

from __future__ import annotations

from dataclasses import replace

from tree_sitter import Node

from batch2flow.analysis.conditions import condition_source, early_exit_guard, is_exit, negate
from batch2flow.analysis.context import Context, Frame
from batch2flow.analysis.other_work import Watcher
from batch2flow.analysis.raising import RubyRaises, stops_here
from batch2flow.analysis.values import BidValue, HashKey, HashValue, NilValue, Value
from batch2flow.ir import Loop
from batch2flow.ruby import nodes

#: definitions inside a body are not run when the body runs
_NOT_RUN = frozenset({
    "method", "singleton_method", "class", "module", "singleton_class", "comment",
    "heredoc_body", "heredoc_beginning",
})
_LOOPS = frozenset({"while", "until", "for", "while_modifier", "until_modifier"})


class ControlFlow:
    """Statement-level reading; `Calls` (the subclass) gives calls their meaning."""

    #: notes the statements of a job's perform that do no orchestration
    watcher: Watcher

    def call(self, node: Node, ctx: Context, frame: Frame) -> Value:  # pragma: no cover
        raise TypeError("ControlFlow is used through its subclass Interpreter")

    def constant(self, node: Node, frame: Frame) -> Value:  # pragma: no cover
        raise TypeError("ControlFlow is used through its subclass Interpreter")

    def assign(self, node: Node, ctx: Context, frame: Frame) -> Value:  # pragma: no cover
        raise TypeError("ControlFlow is used through its subclass Interpreter")

    def run_block(self, frame: Frame, node: Node, ctx: Context) -> Value:
        """`yield(args)` (or `block.call`, `jobs(&block)`): run the block `frame`'s method
        was called with, in the frame that wrote it, under `ctx`: the Sidekiq state where
        it runs (inside the helper's `jobs`, its batch is open). No block: nothing runs."""
        block = frame.block
        if block is None:
            return None
        block.used = True
        args = next((child for child in node.named_children if child.type == "argument_list"), None)
        written = args.named_children if args is not None else []
        given = [arg for arg in written if arg.type != "block_argument"]
        values = [self.run(arg, ctx, frame) for arg in given]
        with block.frame.block_locals(nodes.block_params(block.node), values):
            return self.run_body(nodes.block_body(block.node), ctx, block.frame)

    def run_body(self, statements: list[Node], ctx: Context, frame: Frame) -> Value:
        """Read the statements in order; the value of the last one (or of `return x`) is
        what a method returns, as in Ruby (`b = build_batch(...)`)."""
        value: Value = None
        for index, statement in enumerate(statements):
            if is_exit(statement):
                return self._returned(statement, ctx, frame)
            mark = self.watcher.before(frame)
            try:
                value = self.run(statement, ctx, frame)
            except RubyRaises as error:
                self._rescue(statements[index + 1:], ctx, frame, error)
                return None
            self.watcher.after(frame, statement, mark, value)
            guard = early_exit_guard(statement)
            if guard is not None:
                ctx = ctx.under(guard)
        return value

    def _returned(self, statement: Node, ctx: Context, frame: Frame) -> Value:
        """`return x`: the value of `x` (read only when it is a plain name, so nothing is
        run twice); every other exit returns nothing the reading needs."""
        if statement.type != "return":
            return None
        values = [child for arg in statement.named_children for child in arg.named_children]
        if len(values) == 1 and values[0].type in ("identifier", "instance_variable"):
            return self.run(values[0], ctx, frame)
        return None

    def _rescue(self, rest: list[Node], ctx: Context, frame: Frame, error: RubyRaises) -> None:
        """After a raise, a body goes on in its `rescue` clauses (any one is taken to
        rescue it) and `ensure`; without a `rescue`, the raise goes on up."""
        for clause in rest:
            if clause.type in ("rescue", "ensure"):
                self.run(clause, ctx, frame)
        if not any(clause.type == "rescue" for clause in rest):
            raise error

    def run(self, node: Node, ctx: Context, frame: Frame) -> Value:
        kind = node.type
        if kind in _NOT_RUN:
            return None
        if kind in ("call", "identifier"):
            return self.call(node, ctx, frame)
        if kind in ("assignment", "operator_assignment"):
            return self.assign(node, ctx, frame)
        if kind in ("constant", "scope_resolution"):
            return self.constant(node, frame)
        if kind == "instance_variable":
            return frame.lookup(nodes.text(node))
        if kind == "element_reference":
            return self._element(node, ctx, frame)
        if kind == "hash":
            return self._hash(node, ctx, frame)
        if kind == "yield":
            return self.run_block(frame, node, ctx)
        self._statement(node, ctx, frame)
        return None

    def _statement(self, node: Node, ctx: Context, frame: Frame) -> None:
        kind = node.type
        if kind in ("if", "unless", "elsif"):
            self._if(node, ctx, frame)
        elif kind in ("if_modifier", "unless_modifier"):
            self._modifier(node, ctx, frame)
        elif kind == "conditional":
            self._ternary(node, ctx, frame)
        elif kind == "case":
            self._case(node, ctx, frame)
        elif kind in _LOOPS:
            self._loop(node, ctx, frame)
        elif kind == "binary" and _operator(node) in ("&&", "||", "and", "or"):
            self._short_circuit(node, ctx, frame)
        elif kind == "begin":  # its statements, then its rescue, else and ensure clauses
            self.run_body(nodes.body_statements(node), ctx, frame)
        elif kind == "rescue":
            self.run_body(nodes.body_statements(node.child_by_field_name("body")),
                          ctx.under("rescue"), frame)
        else:
            for child in node.named_children:
                self.run(child, ctx, frame)

    def _loop(self, node: Node, ctx: Context, frame: Frame) -> None:
        loop = None
        if node.type == "for":
            pattern, value = node.child_by_field_name("pattern"), node.child_by_field_name("value")
            items = value.named_children[0] if value is not None and value.named_children else None
            if pattern is not None and items is not None:
                loop = Loop("for", nodes.text(items), (nodes.text(pattern),), ctx.condition_text(),
                            ctx.open_batch)
        with stops_here():
            self.run_body(nodes.body_statements(node.child_by_field_name("body")),
                          replace(ctx, fan_out=True, loop=loop), frame)

    def _if(self, node: Node, ctx: Context, frame: Frame) -> None:
        cond = condition_source(node.child_by_field_name("condition"))
        positive = negate(cond) if node.type == "unless" else cond
        dead = node.type == "if" and self._nil_bid(node.child_by_field_name("condition"), ctx, frame)
        if not dead:
            with stops_here():
                self.run_body(nodes.body_statements(node.child_by_field_name("consequence")),
                              ctx.under(positive), frame)
        alternative = node.child_by_field_name("alternative")
        if alternative is None:
            return
        otherwise = ctx.under(negate(positive))
        if alternative.type == "elsif":
            self._if(alternative, otherwise, frame)
        else:
            with stops_here():
                self.run_body(nodes.body_statements(alternative), otherwise, frame)

    def _modifier(self, node: Node, ctx: Context, frame: Frame) -> None:
        cond = condition_source(node.child_by_field_name("condition"))
        positive = cond if node.type == "if_modifier" else negate(cond)
        body = node.child_by_field_name("body")
        dead = node.type == "if_modifier" and self._nil_bid(node.child_by_field_name("condition"), ctx, frame)
        if body is not None and not dead:
            with stops_here():
                self.run(body, ctx.under(positive), frame)

    def _nil_bid(self, condition: Node | None, ctx: Context, frame: Frame) -> bool:
        """`if status.parent_bid` (or `.present?`) where the batch has no parent: the
        branch never runs, so the reopen in it is no reopen of nothing (and no B2F107)."""
        if condition is None:
            return False
        call = nodes.as_call(condition) if condition.type == "call" else None
        if call is not None and call.method == "present?" and call.receiver is not None and not call.args:
            condition = call.receiver
            call = nodes.as_call(condition) if condition.type == "call" else None
        if call is None or call.method != "parent_bid" or call.args:
            return False
        value = self.run(condition, ctx, frame)
        return isinstance(value, BidValue) and value.batch_id is None

    def _ternary(self, node: Node, ctx: Context, frame: Frame) -> None:
        cond = condition_source(node.child_by_field_name("condition"))
        for field, condition in (("consequence", cond), ("alternative", negate(cond))):
            branch = node.child_by_field_name(field)
            if branch is not None:
                with stops_here():
                    self.run(branch, ctx.under(condition), frame)

    def _case(self, node: Node, ctx: Context, frame: Frame) -> None:
        # written as `[a, b].include?(x)`: still Ruby, so it can be translated later
        subject = condition_source(node.child_by_field_name("value"))
        seen: list[str] = []
        for clause in node.named_children:
            if clause.type == "when":
                patterns = [condition_source(p) for p in clause.children_by_field_name("pattern")]
                seen.extend(patterns)
                with stops_here():
                    self.run_body(nodes.body_statements(clause.child_by_field_name("body")),
                                  ctx.under(f"[{', '.join(patterns)}].include?({subject})"), frame)
            elif clause.type == "else":
                with stops_here():
                    self.run_body(nodes.body_statements(clause),
                                  ctx.under(negate(f"[{', '.join(seen)}].include?({subject})")), frame)

    def _short_circuit(self, node: Node, ctx: Context, frame: Frame) -> None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is not None:
            self.run(left, ctx, frame)
        if right is not None:
            cond = condition_source(left)
            positive = cond if _operator(node) in ("&&", "and") else negate(cond)
            with stops_here():
                self.run(right, ctx.under(positive), frame)

    def _element(self, node: Node, ctx: Context, frame: Frame) -> Value:
        target = node.child_by_field_name("object")
        value = self.run(target, ctx, frame) if target is not None else None
        keys = [c for c in node.named_children if c != target]
        if isinstance(value, HashValue) and len(keys) == 1:
            return _lookup(value, keys[0])
        return None

    def _hash(self, node: Node, ctx: Context, frame: Frame) -> Value:
        items: list[tuple[HashKey, Value]] = []
        for key, symbol, value_node in nodes.hash_entries((node,)):
            value = self.run(value_node, ctx, frame)
            if key is not None:
                items.append((HashKey(key, symbol), value))
        return HashValue(tuple(items))


def _lookup(hash_value: HashValue, key_node: Node) -> Value:
    """`h[key]`. Callback options come back from JSON with string keys only, so there
    `options[:overall]` is nil, whatever `options['overall']` holds."""
    name = nodes.literal_string(key_node)
    if name is None:
        return None
    key = HashKey(name, nodes.is_symbol(key_node))
    if key.symbol and hash_value.from_json:
        return NilValue("callback options come back from JSON with string keys")
    return hash_value.get(key)


def _operator(node: Node) -> str:
    op = node.child_by_field_name("operator")
    return nodes.text(op) if op is not None else ""


