"""Python names and literals for generated code: the only ways Ruby reaches Python text."""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Iterable, Sequence

from batch2flow.ruby.literals import MAX_DECIMAL_DIGITS


def to_var(name: str) -> str:
    """A Python identifier from a Ruby name: `Billing::ChargeWorker` -> `billing_charge_worker`."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"\W+", "_", name, flags=re.ASCII).strip("_").lower()
    name = re.sub(r"_+", "_", name) or "value"
    if name[0].isdigit():
        name = f"_{name}"
    if keyword.iskeyword(name) or name in _SOFT_KEYWORDS or name in _SHADOWED:
        name = f"{name}_"
    return name


#: names the generated module itself uses
_MODULE = frozenset({
    "flow", "task", "run", "allow_failure", "columns", "run_job", "orchestration_step",
    "start_workflow", "ruby_value", "ruby_condition", "ruby_items", "ruby_raises", "ruby_to_s",
    "retry_delays", "workflow_run", "status", "bulk_rows", "annotations", "not_ported",
    "cancel_not_started", "ruby_job", "ruby_callback", "ruby_starter", "prefect", "start_other_workflow",
})

#: the builtins generated code calls or annotates with (`len(...)`, `range(...)`,
#: `list[object]`): a parameter named `len` would hide `len()` from the code after it. Other
#: builtins keep their names (a Ruby `id` stays the flow's parameter `id`, as a deployment
#: is run with it); tests/test_hostile_names.py checks every fixture's flows against this.
PYTHON_BUILTINS = frozenset({
    "all", "any", "bool", "dict", "enumerate", "float", "int", "isinstance", "len", "list", "object",
    "range", "set", "str", "tuple",
})
#: soft keywords of every Python the flows may run on, fixed so names do not depend on the
#: one generating them (`type` is one from 3.12 on)
_SOFT_KEYWORDS = frozenset({"_", "case", "match", "type"})

_SHADOWED = _MODULE | PYTHON_BUILTINS


def param_names(params: Sequence[str], taken: Iterable[str] = ()) -> tuple[str, ...]:
    """Python names for one Ruby parameter list, in order: each a `to_var` name, none of
    `taken`, no two alike (Ruby's `perform(_, _)` and `perform(row_id, rowId)` are valid;
    a Python `def` with a repeated parameter does not compile). A later duplicate gets a
    suffix (`row_id`, `row_id_2`), so the same list always gets the same names."""
    table = NameTable(set(taken))
    return tuple(table.name(str(index), to_var(param)) for index, param in enumerate(params))


def to_python(value: object) -> str:
    """A Python literal for a value, through `repr()`: quotes, backslashes, newlines and
    unicode come through as the same value, and nothing in the text can run as code."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_literal(value)
    if isinstance(value, (str, bool)) or value is None:
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_python(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_python(k)}: {to_python(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Python literal for {type(value).__name__}")


#: decimal literals and `repr()` of an int stop there; a power-of-two base has no limit and
#: gives the same value
_DECIMAL_LIMIT = 10**MAX_DECIMAL_DIGITS


def number_literal(value: int | float) -> str:
    """A Python literal for a number, for every value Ruby can write: an integer of more
    than 4300 digits in hexadecimal (its decimal form does not compile), an infinite or
    NaN float as `float("inf")` (bare `inf` is an unbound name)."""
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    if isinstance(value, int) and abs(value) >= _DECIMAL_LIMIT:
        sign = "-" if value < 0 else ""
        return f"{sign}0x{abs(value):X}"  # upper case digits: as `ruff format` writes them
    return repr(value)


def to_docstring(text: str) -> str:
    """A docstring literal for any text (Ruby source included). Triple quotes when the text
    reads the same inside them; else `repr()`, which escapes what would not: quotes,
    backslashes, NUL, and every line break other than `\\n` (the template re-indents lines
    with `str.splitlines()`, which would turn a form feed or U+2028 into a new line)."""
    plain = all(c == "\n" or (c.isprintable() and c not in _LINE_BREAKS) for c in text)
    if plain and '"""' not in text and "\\" not in text and not text.endswith('"'):
        return f'"""{text}"""'
    return repr(text)


#: what `str.splitlines()` breaks lines at, besides `\n`
_LINE_BREAKS = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def indent_lines(text: str, width: int = 4, first: bool = False) -> str:
    """Indent every line but (unless `first`) the first. Lines are split at `\\n` only:
    jinja's own `indent` uses `str.splitlines()`, which would also break at a form feed
    or U+2028 inside Ruby text and change it."""
    pad = " " * width
    lines = text.split("\n")
    return "\n".join((pad + line if (i or first) and line else line) for i, line in enumerate(lines))


def to_comment(text: str) -> str:
    """One comment line's text: line breaks and unprintable characters (NUL) folded into
    spaces, so nothing escapes the comment or breaks the file."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


class NameTable:
    """Hands out unique Python names, the same Ruby name always getting the same one."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self._taken = set(taken or ())
        self._given: dict[str, str] = {}

    def get(self, key: str) -> str:
        """The name given earlier for `key` (KeyError when there is none)."""
        return self._given[key]

    def name(self, key: str, wanted: str) -> str:
        if key in self._given:
            return self._given[key]
        # `len_` taken gives `len_2`, not `len__2`; a name ending in a digit is never a
        # keyword or a builtin
        stem, candidate, suffix = wanted.rstrip("_") or wanted, wanted, 2
        while candidate in self._taken:
            candidate, suffix = f"{stem}_{suffix}", suffix + 1
        self._taken.add(candidate)
        self._given[key] = candidate
        return candidate
