"""Which diagnostics a change introduces and which it fixes.

A diagnostic is keyed on (code, file, message), not on its line and column: an edit
above it shifts its line without making it a new problem. For the same reason a
`file.rb:12` inside the message (B2F102's "did you mean" names where the class is)
is keyed without its line. Keys are counted, so a
second occurrence of the same problem in one file is reported as introduced; which
of the equal occurrences is reported is then the last ones, in the graph's order.
"""

from __future__ import annotations

import re
from collections import Counter

from batch2flow.diagnostics import Diagnostic

_Key = tuple[str, str, str]
#: a Ruby file's line number quoted in a message
_QUOTED_LINE = re.compile(r"(\.rb):\d+")


def diagnostics_diff(base: tuple[Diagnostic, ...],
                     head: tuple[Diagnostic, ...]) -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    """(introduced by the head, fixed by the head), each in the graph's order."""
    return _beyond(head, Counter(map(_key, base))), _beyond(base, Counter(map(_key, head)))


def _key(diagnostic: Diagnostic) -> _Key:
    return diagnostic.code, diagnostic.file, _QUOTED_LINE.sub(r"\1", diagnostic.message)


def _beyond(found: tuple[Diagnostic, ...], other: Counter[_Key]) -> tuple[Diagnostic, ...]:
    """The diagnostics of `found` whose key occurs more often than in `other`."""
    left = Counter(map(_key, found)) - other
    extra: list[Diagnostic] = []
    for diagnostic in reversed(found):
        key = _key(diagnostic)
        if left[key] > 0:
            left[key] -= 1
            extra.append(diagnostic)
    return tuple(reversed(extra))
