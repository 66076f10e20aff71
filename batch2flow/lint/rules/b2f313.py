"""Hash key that is not a string, in job arguments or callback options.

What it does:
    Finds hash literals with integer, float, nil, boolean, constant or array keys in the
    arguments of a Sidekiq enqueue or in the options of `batch.on(...)`.

Why is this bad:
    JSON keys are strings: `{1 => 'a'}` comes back as `{"1" => "a"}`, so
    `options[1]` or `args[0][1]` is nil in the job or callback; Sidekiq 7 rejects such
    job arguments outright.

Example:
    ```ruby
    batch.on(:success, TotalsCallback, 2024 => totals)
    ```
    Use instead:
    ```ruby
    batch.on(:success, TotalsCallback, '2024' => totals)
    ```
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from batch2flow import diagnostics as diag
from batch2flow.lint.batches import callback_registrations
from batch2flow.lint.context import LintContext, finding
from batch2flow.lint.json_args import job_arguments, values_inside
from batch2flow.lint.model import Finding
from batch2flow.lint.registry import rule
from batch2flow.parsing import ParsedFile
from batch2flow.ruby import nodes

HELP = "use string keys: JSON turns every key into a string"
NOT_STRING = frozenset({"integer", "float", "nil", "true", "false", "constant", "scope_resolution",
                        "array", "range", "rational", "complex"})


@rule(diag.NON_STRING_KEYS, help=HELP)
def check(ctx: LintContext) -> Iterator[Finding]:
    for parsed, _method, args in job_arguments(ctx):
        yield from _keys(parsed, args, "job arguments")
    for parsed, call in callback_registrations(ctx):
        yield from _keys(parsed, call.args[2:], "callback options")


def _keys(parsed: ParsedFile, args: tuple[Node, ...], where: str) -> Iterator[Finding]:
    for arg in args:
        for value in values_inside(arg):
            pairs = [value] if value.type == "pair" else []
            pairs += [c for c in value.named_children if c.type == "pair"] if value.type == "hash" else []
            for pair in pairs:
                key = pair.child_by_field_name("key")
                if key is not None and key.type in NOT_STRING:
                    yield finding(diag.NON_STRING_KEYS, parsed, key,
                                  f"the key `{nodes.text(key)}` of these {where} comes back as the "
                                  f"string \"{nodes.text(key)}\" from JSON")
