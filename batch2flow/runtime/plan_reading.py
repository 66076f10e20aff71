"""A plan as the bridge answers it (JSON) into `Plan` rows, checked field by field.

Each enqueue and callback row gets the idempotency key of the call that will run it,
made from the key of the call that recorded the plan and the row's position in it: a
retried flow run meets the same recorded plans (the bridge answers a job that
succeeded with its stored plan) and so makes the same keys, whatever order its threads
run in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from batch2flow.runtime.errors import MalformedPlan
from batch2flow.runtime.plans import Plan, PlannedBatch, PlannedCallback, PlannedJob, Site

EVENTS = frozenset({"success", "complete", "death"})
T = TypeVar("T")


def read_plan(body: object, owner: str, key: str) -> Plan:
    """`body` is the `plan` of a job's state; `key` the idempotency key of that job."""
    if body is None:
        return Plan(owner=owner)
    table = _mapping(body, "plan")
    return Plan(
        owner=owner,
        batches=_rows(table, "batches", _batch),
        callbacks=[_callback(row, derive_key(key, f"c{n}")) for n, row in _numbered(table, "callbacks")],
        enqueues=[_enqueue(row, derive_key(key, f"e{n}")) for n, row in _numbered(table, "enqueues")],
    )


def derive_key(parent: str, suffix: str) -> str:
    """The key of the `suffix` row of the plan recorded under `parent`: fixed length, so a
    chain of a thousand steps keeps keys the bridge accepts (at most 200 characters)."""
    digest = hashlib.sha256(f"{parent}/{suffix}".encode()).hexdigest()[:40]
    return f"b2f-{digest}"


def _batch(row: dict[str, object]) -> PlannedBatch:
    return PlannedBatch(
        bid=_text(row, "bid"),
        parent_bid=_optional_text(row, "parent_bid"),
        reopened=_flag(row, "reopened"),
        description=_optional_text(row, "description"),
        callback_queue=_optional_text(row, "callback_queue"),
        site=_site(row),
    )


def _callback(value: object, key: str) -> PlannedCallback:
    row = _mapping(value, "callback")
    event = _text(row, "event")
    if event not in EVENTS:
        raise MalformedPlan(f"plan: callback event {event!r} is not one of {sorted(EVENTS)}")
    return PlannedCallback(bid=_text(row, "bid"), event=event, target=_text(row, "target"),
                           options=row.get("options"), site=_site(row), key=key)


def _enqueue(value: object, key: str) -> PlannedJob:
    row = _mapping(value, "enqueue")
    args = row.get("args")
    if not isinstance(args, list):
        raise MalformedPlan(f"plan: enqueue args must be a list, got {type(args).__name__}")
    at = row.get("at")
    if at is not None and (isinstance(at, bool) or not isinstance(at, (int, float))):
        raise MalformedPlan(f"plan: enqueue `at` must be a number or null, got {at!r}"[:200])
    return PlannedJob(worker=_text(row, "class"), args=args, queue=_optional_text(row, "queue"),
                      at=None if at is None else float(at), bid=_optional_text(row, "bid"),
                      site=_site(row), key=key)


def _site(row: dict[str, object]) -> Site:
    site = _mapping(row.get("site"), "site")
    line = site.get("line")
    if isinstance(line, bool) or not isinstance(line, int) or line < 1:
        raise MalformedPlan(f"plan: site line must be a positive integer, got {line!r}"[:200])
    return Site(_text(site, "file"), line)


def _rows(table: dict[str, object], name: str, read: Callable[[dict[str, object]], T]) -> list[T]:
    return [read(_mapping(row, name)) for row in _list(table, name)]


def _numbered(table: dict[str, object], name: str) -> list[tuple[int, object]]:
    return list(enumerate(_list(table, name)))


def _list(table: dict[str, object], name: str) -> list[object]:
    found = table.get(name, [])
    if not isinstance(found, list):
        raise MalformedPlan(f"plan: {name} must be a list, got {type(found).__name__}")
    return found


def _mapping(value: object, what: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise MalformedPlan(f"plan: a {what} must be an object, got {type(value).__name__}")
    return value


def _text(row: dict[str, object], name: str) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedPlan(f"plan: {name} must be a non-empty string, got {value!r}"[:200])
    return value


def _optional_text(row: dict[str, object], name: str) -> str | None:
    value = row.get(name)
    if value is not None and not isinstance(value, str):
        raise MalformedPlan(f"plan: {name} must be a string or null, got {value!r}"[:200])
    return value


def _flag(row: dict[str, object], name: str) -> bool:
    value = row.get(name, False)
    if not isinstance(value, bool):
        raise MalformedPlan(f"plan: {name} must be true or false, got {value!r}"[:200])
    return value
