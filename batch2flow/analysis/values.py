"""What the interpreter knows about a Ruby value: just enough to follow batches."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BatchValue:
    """A `Sidekiq::Batch` object: a new one, or one reopened from its bid."""

    batch_id: str


@dataclass(frozen=True)
class BidValue:
    """A batch id string (`batch.bid`, `status.parent_bid`); None when it is nil."""

    batch_id: str | None


@dataclass(frozen=True)
class StatusValue:
    """The `status` argument a callback receives."""


@dataclass(frozen=True)
class ConstValue:
    """A class, by its qualified name (a worker held in a variable)."""

    name: str


@dataclass(frozen=True)
class NilValue:
    """A value known to be nil, and why (a symbol key read from JSON-decoded options)."""

    why: str


@dataclass(frozen=True)
class HashKey:
    name: str
    #: written as a symbol (`id:`, `:id =>`): a different key from the string `'id'` in Ruby
    symbol: bool


@dataclass(frozen=True)
class HashValue:
    """A hash literal with literal keys."""

    items: tuple[tuple[HashKey, Value], ...]
    #: decoded from JSON (callback options): every key is a string
    from_json: bool = False

    def get(self, key: HashKey) -> Value:
        for name, value in self.items:
            if name == key:
                return value
        return None

    def through_json(self) -> HashValue:
        """The hash as Sidekiq hands callback options back: stored as JSON, so every key is
        a string, and nothing but strings, numbers, nil, arrays and hashes survives (a batch
        object or a class comes back as something else, which is not followed)."""
        items = tuple((HashKey(key.name, False), through_json(value)) for key, value in self.items)
        return HashValue(items, from_json=True)


def through_json(value: Value) -> Value:
    """A value after a JSON round trip (Sidekiq's callback options)."""
    if isinstance(value, HashValue):
        return value.through_json()
    if isinstance(value, (BidValue, NilValue)):
        return value
    return None


Value = BatchValue | BidValue | StatusValue | ConstValue | HashValue | NilValue | None
