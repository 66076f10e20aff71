"""The rows of a changed workflow's table: (kind of change, what changed), in Markdown."""

from __future__ import annotations

from collections import defaultdict

from batch2flow.review.compare import WorkflowChange
from batch2flow.review.relation import Order
from batch2flow.terminal import visible


def change_rows(change: WorkflowChange) -> list[tuple[str, str]]:
    rows = [("job added", code(worker)) for worker in change.jobs_added]
    rows += [("job removed", code(worker)) for worker in change.jobs_removed]
    old, new = _events(change.order_removed), _events(change.order_added)
    # a pair that lost one event and gained another changed its event: one row says so,
    # rather than two that read as an order dropped and another made
    retimed = sorted(pair for pair in old.keys() & new.keys() if len(old[pair]) == len(new[pair]) == 1)
    for before, after in retimed:
        rows.append(("callback event changed",
                     f"{code(before)} → {code(after)}: {old[before, after][0]} → {new[before, after][0]}"))
    rows += [("order added", _pair(p)) for p in change.order_added if (p.before, p.after) not in retimed]
    rows += [("order removed", _pair(p)) for p in change.order_removed if (p.before, p.after) not in retimed]
    for worker, fans in change.fan_out_changed:
        rows.append(("fan-out changed", code(worker) + (" now fans out" if fans else " no longer fans out")))
    return rows


def _events(orders: tuple[Order, ...]) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for pair in orders:
        found[pair.before, pair.after].append(pair.on)
    return found


def _pair(pair: Order) -> str:
    return f"{code(pair.before)} → {code(pair.after)} on {pair.on}"


def code(value: str) -> str:
    """An inline code span safe inside a table cell, whatever the text holds."""
    flat = visible(" ".join(value.split())).replace("|", "\\|")
    fence = "``" if "`" in flat else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
