"""The `prefect.yaml` beside the generated flows: one Prefect 3 deployment per workflow.

Every value reaches the YAML through `to_yaml`, which writes JSON-style flow scalars:
a description or parameter taken from Ruby can hold quotes, colons, `#`, newlines or
`{{ }}` and still reads back as the same value, and no text can add a key.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache

import jinja2

from batch2flow.templating import strict_environment

#: Prefect resolves `{{ $PWD }}` when a worker pulls the flow: the folder it runs in,
#: so the deployment works wherever the generated project is checked out
WORKING_DIRECTORY = "{{ $PWD }}"
#: written into `prefect-version`; the generated flows need Prefect 3 (see pyproject)
PREFECT_VERSION = "3.8.8"


@dataclass(frozen=True)
class DeploymentSpec:
    #: workflow name (snake_case), also the deployment name
    name: str
    #: "flows/<name>.py:<flow function>"
    entrypoint: str
    description: str
    #: default parameter values (None unless known)
    parameters: dict[str, object]
    tags: tuple[str, ...]
    #: the Prefect work queue; None for the pool's default queue
    work_queue_name: str | None
    #: a cron schedule, when the starter was a Sidekiq Enterprise periodic job
    cron: str | None


def render_prefect_yaml(
    project: str, specs: list[DeploymentSpec], work_pool: str = "default",
    prefect_version: str = PREFECT_VERSION,
) -> str:
    template = _environment().get_template("prefect.yaml.j2")
    return template.render(
        project=project, specs=specs, work_pool=work_pool, prefect_version=prefect_version,
        working_directory=WORKING_DIRECTORY,
    )


def to_yaml(value: object) -> str:
    """A one-line YAML flow value: null, true/false, a number, a double-quoted string, a
    `[...]` sequence or a `{...}` mapping."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {to_yaml(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no YAML value for {type(value).__name__}")


def _string(text: str) -> str:
    """JSON's escaping, made pure ASCII: PyYAML (which Prefect reads with) folds a raw
    U+0085 or U+2028 into a space and turns JSON's surrogate pairs for emoji into two
    lone surrogates, so non-ASCII goes out as YAML `\\u` / `\\U` escapes (4 or 8 hex digits)."""
    return re.sub(r"[^\x20-\x7e]", _escape, json.dumps(text, ensure_ascii=False))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _float(number: float) -> str:
    if not math.isfinite(number):
        raise ValueError(f"no YAML value for {number!r}")
    # YAML 1.1 (PyYAML) reads `1e+20` as a string: the mantissa needs a dot
    mantissa, e, exponent = repr(number).partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return f"{mantissa}{e}{exponent}"


def _key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"YAML mapping keys must be strings here, not {type(key).__name__}")
    return _string(key)


@cache
def _environment() -> jinja2.Environment:
    return strict_environment({"yaml": to_yaml})
