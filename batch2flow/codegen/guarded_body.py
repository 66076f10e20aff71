"""Statements laid out under the Ruby `if`s around them, each `if` written once (planner.py)."""

from __future__ import annotations

from batch2flow.codegen.plan import Guard, Statement


class GuardedBody:
    """Statements being laid out under one condition (the Ruby `if`s around them)."""

    def __init__(self, condition: str | None) -> None:
        self.condition = condition
        self.statements: list[Statement | _Guarded] = []

    def guard(self, test: str, comment: str, condition: str | None) -> GuardedBody:
        """The body of an `if test:` at the end of this one (the last one, when it has that test)."""
        last = self.statements[-1] if self.statements else None
        if isinstance(last, _Guarded) and last.test == test:
            return last.body
        guarded = _Guarded(test, comment, GuardedBody(condition))
        self.statements.append(guarded)
        return guarded.body

    def frozen(self) -> list[Statement]:
        return [s.frozen() if isinstance(s, _Guarded) else s for s in self.statements]


class _Guarded:
    def __init__(self, test: str, comment: str, body: GuardedBody) -> None:
        self.test, self.comment, self.body = test, comment, body

    def frozen(self) -> Guard:
        return Guard(self.test, tuple(self.body.frozen()), self.comment)
