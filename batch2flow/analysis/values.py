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
class HashValue:
    """A hash literal with literal keys; callback options arrive with string keys."""

    items: tuple[tuple[str, Value], ...]

    def get(self, key: str) -> Value:
        for name, value in self.items:
            if name == key:
                return value
        return None


Value = BatchValue | BidValue | StatusValue | ConstValue | HashValue | None
