"""What a job argument becomes through JSON: Sidekiq 7 rejects what would not come back equal."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow.lint.context import LintContext
from batch2flow.lint.ruby import calls, is_enqueue
from batch2flow.parsing import ParsedFile
from batch2flow.ruby import nodes

#: Sidekiq's enqueues whose arguments it serialises itself (ActiveJob's have serialisers)
CHECKED = frozenset({"perform_async", "perform_in", "perform_at", "perform_bulk", "perform_inline",
                     "push", "push_bulk"})
SCHEDULED = frozenset({"perform_in", "perform_at"})
TIME_CLASSES = frozenset({"Time", "Date", "DateTime", "BigDecimal", "ActiveSupport::TimeWithZone"})
#: class methods that build one (`Time.now`, `Time.zone.parse`, `Date.today`)
CONSTRUCTORS = frozenset({"now", "current", "today", "yesterday", "tomorrow", "at", "parse", "new",
                          "iso8601", "strptime", "local", "utc", "mktime"})
#: methods that return a Time, Date or BigDecimal whatever they are called on
TIME_METHODS = frozenset({"ago", "from_now", "since", "until", "to_date", "to_time", "to_datetime", "to_d",
                          "beginning_of_day", "end_of_day", "beginning_of_month", "end_of_month"})


def job_arguments(ctx: LintContext) -> Iterator[tuple[ParsedFile, str, tuple[Node, ...]]]:
    """Each Sidekiq enqueue: its file, its method and the nodes of its job arguments."""
    for parsed, call in calls(ctx):
        if call.method not in CHECKED or not (is_enqueue(call) or call.method == "perform_inline"):
            continue
        if call.method in ("push", "push_bulk"):
            pushed = dict(nodes.hash_pairs(call.args)).get("args")
            yield parsed, call.method, (pushed,) if pushed is not None else ()
        elif call.method in SCHEDULED:
            yield parsed, call.method, call.args[1:]
        else:
            yield parsed, call.method, call.args


def values_inside(node: Node) -> Iterator[Node]:
    """`node` and the elements and values of the arrays and hashes it holds."""
    yield node
    inner = node
    while inner.type == "parenthesized_statements" and inner.named_child_count == 1:
        inner = inner.named_children[0]
        yield inner
    if inner.type == "array":
        for child in inner.named_children:
            yield from values_inside(child)
    elif inner.type in ("hash", "pair"):
        pairs = inner.named_children if inner.type == "hash" else [inner]
        for pair in pairs:
            value = pair.child_by_field_name("value")
            if value is not None:
                yield from values_inside(value)


def time_like(node: Node) -> str | None:
    """`Time.now`, `Date.today`, `Time.zone.parse(s)`, `BigDecimal('1.5')`, `3.days.ago`: the
    class it gives; None for `Time.now.iso8601` and other calls that turn it into text."""
    if node.type != "call":
        return None
    call = nodes.as_call(node)
    if call is None:
        return None
    if call.receiver is None:
        return call.method if call.method in ("BigDecimal", "DateTime") else None
    if call.method in TIME_METHODS:
        return "a Time or Date"
    if call.method not in CONSTRUCTORS:
        return None
    root = call.receiver  # the class itself, or `Time.zone`
    zone = nodes.as_call(root) if root.type == "call" else None
    if zone is not None and zone.method == "zone" and zone.receiver is not None:
        root = zone.receiver
    name = nodes.constant_name(root)
    return name.removeprefix("::") if name is not None and name.removeprefix("::") in TIME_CLASSES else None
