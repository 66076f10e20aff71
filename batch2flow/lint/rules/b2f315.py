"""Callback options that are not a Hash.

What it does:
    Finds `batch.on(event, target, options)` whose options are a string, a number, a
    symbol, an array, nil or a boolean instead of a Hash.

Why is this bad:
    Sidekiq Pro expects a Hash: other values are refused when the callback is registered
    or reach the callback as something it cannot read with `options['key']`.

Example:
    ```ruby
    batch.on(:success, ImportCallback, import.id)
    ```
    Use instead:
    ```ruby
    batch.on(:success, ImportCallback, 'import_id' => import.id)
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from batch2flow import diagnostics as diag
from batch2flow.lint.batches import callback_registrations
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.ruby import nodes

HELP = "pass a Hash with string keys: on(:success, Klass, 'id' => id)"
NOT_HASH = {"string": "a String", "integer": "an Integer", "float": "a Float", "simple_symbol": "a Symbol",
            "delimited_symbol": "a Symbol", "array": "an Array", "nil": "nil", "true": "true",
            "false": "false", "string_array": "an Array", "symbol_array": "an Array", "range": "a Range"}


@rule(diag.OPTIONS_NOT_HASH, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, call in callback_registrations(ctx):
        if len(call.args) < 3 or call.args[2].type == "pair":
            continue
        kind = NOT_HASH.get(call.args[2].type)
        if kind is not None:
            yield finding(diag.OPTIONS_NOT_HASH, parsed, call.args[2],
                          f"callback options `{nodes.text(call.args[2])}` are {kind}, not a Hash")
