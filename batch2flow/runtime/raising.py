"""Where the converted Ruby raises, the flow raises too: in production and in rehearsals."""

from __future__ import annotations

from typing import NoReturn

from batch2flow.runtime.errors import RubyRaised


def ruby_raises(error: str, where: str) -> NoReturn:
    """Stop the flow where the Ruby raised `error` ("ArgumentError: ...") at `where`.
    Unlike the `ruby_*` markers this is no translation gap: a rehearsal stops too, since
    Sidekiq ran nothing after that point either."""
    raise RubyRaised(error, where)
