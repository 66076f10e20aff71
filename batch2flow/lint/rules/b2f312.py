"""Job argument that is not JSON-native.

What it does:
    Finds Sidekiq enqueues (`perform_async`, `perform_in`, `perform_bulk`,
    `Sidekiq::Client.push`, ...) passing symbols, hashes with symbol keys, `Time`,
    `Date`, `BigDecimal`, ranges or keyword arguments.

Why is this bad:
    Sidekiq stores arguments as JSON: `:admin` comes back as `"admin"`, `{id: 1}` as
    `{"id" => 1}`, a Time as a string, a range as a string, keyword arguments as a
    positional Hash that `perform(id:)` cannot take. Sidekiq 7 refuses them outright
    (`ArgumentError: Job arguments to X must be native JSON types`), so the enqueue fails.

Example:
    ```ruby
    ReportWorker.perform_async(report.id, :pdf, since: 1.day.ago)
    ```
    Use instead:
    ```ruby
    ReportWorker.perform_async(report.id, 'pdf', 'since' => 1.day.ago.iso8601)
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.json_args import job_arguments, time_like, values_inside
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.ruby import nodes

HELP = "pass strings, numbers, booleans, nil, and arrays and string-keyed hashes of them"


@rule(diag.NOT_JSON_ARGS, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, method, args in job_arguments(ctx):
        # `'id' => 1` is a positional Hash; `id: 1` is a keyword argument
        keywords = [a for a in args if a.type == "pair" and _keyword(a)]
        if keywords and method != "perform_bulk":  # perform_bulk(items, batch_size: 100) is an option
            yield finding(diag.NOT_JSON_ARGS, parsed, keywords[0],
                          "keyword arguments reach `perform` as one Hash with string keys, "
                          "not as keywords")
        for arg in args:
            for value in values_inside(arg):
                problem = _problem(value)
                if problem:
                    yield finding(diag.NOT_JSON_ARGS, parsed, value, problem)


def _keyword(pair: Node) -> bool:
    """`id: 1`, and Ruby 3.1's `id:` (its value the local `id`), are keywords."""
    entries = nodes.hash_entries((pair,))
    return not entries or entries[0][1]


def _problem(node: Node) -> str | None:
    if nodes.is_symbol(node) and node.type != "hash_key_symbol":
        return f"the symbol `{nodes.text(node)}` is not JSON: it comes back as a string"
    if node.type == "pair":
        return None  # the keyword arguments, reported once above
    if node.type == "hash" and any(symbol for _k, symbol, _v in nodes.hash_entries((node,))):
        return "a Hash with symbol keys is not JSON: it comes back with string keys"
    if node.type == "range":
        return f"the range `{nodes.text(node)}` is not JSON: it comes back as a string"
    kind = time_like(node)
    if kind:
        return f"`{nodes.text(node)}` is {_article(kind)}, not JSON: pass a string (iso8601) or a number"
    return None


def _article(kind: str) -> str:
    return kind if kind.startswith("a ") else f"a {kind}"
