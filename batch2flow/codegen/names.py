"""Python names and literals for generated code: the only ways Ruby reaches Python text."""

from __future__ import annotations

import keyword
import re


def to_var(name: str) -> str:
    """A Python identifier from a Ruby name: `Billing::ChargeWorker` -> `billing_charge_worker`."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"\W+", "_", name, flags=re.ASCII).strip("_").lower()
    name = re.sub(r"_+", "_", name) or "value"
    if name[0].isdigit():
        name = f"_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _SHADOWED:
        name = f"{name}_"
    return name


#: names the generated module itself uses
_SHADOWED = frozenset({
    "flow", "task", "run", "allow_failure", "columns", "run_job", "orchestration_step",
    "start_workflow", "ruby_value", "ruby_condition", "ruby_items", "retry_delays",
    "workflow_run", "status",
})


def to_python(value: object) -> str:
    """A Python literal for a value, through `repr()`: quotes, backslashes, newlines and
    unicode come through as the same value, and nothing in the text can run as code."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_python(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_python(k)}: {to_python(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Python literal for {type(value).__name__}")


def to_docstring(text: str) -> str:
    """A docstring literal for any text (Ruby source included)."""
    if '"""' not in text and "\\" not in text and not text.endswith('"') and "\r" not in text:
        return f'"""{text}"""'
    return repr(text)


def to_comment(text: str) -> str:
    """One comment line's text: line breaks folded, so nothing escapes the comment."""
    return " ".join(text.split())


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
        candidate, suffix = wanted, 2
        while candidate in self._taken:
            candidate, suffix = f"{wanted}_{suffix}", suffix + 1
        self._taken.add(candidate)
        self._given[key] = candidate
        return candidate
