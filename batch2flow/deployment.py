"""The `prefect.yaml` beside the generated flows: one Prefect 3 deployment per workflow.

Every value reaches the YAML through `to_yaml`, which writes JSON-style flow scalars:
a description or parameter taken from Ruby can hold quotes, colons, `#` or newlines and
still reads back as the same value, and no text can add a key. `prefect deploy` then
expands `{{ name }}` placeholders in what it read (`{{ $VAR }}` from its environment,
`{{ prefect.variables.x }}` from the server) and has no escape for them, so `literal`
breaks every such placeholder in text that came from Ruby before it is written.

The file carries no path and no Prefect version: with `pull: null`, `prefect deploy`
records the folder it runs in as where the worker loads the flows from.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache

import jinja2

from batch2flow.templating import strict_environment

#: the process work pool the deployments use; MIGRATION.md shows the command creating it
WORK_POOL = "batch2flow"
#: the saved `SidekiqBridge` block the flows read the bridge's URL and token from
BRIDGE_BLOCK = "batch2flow-bridge"
#: what `prefect deploy` reads as a placeholder (`prefect.utilities.templating.
#: PLACEHOLDER_CAPTURE_REGEX`, checked against Prefect's own in the tests)
PLACEHOLDER = re.compile(r"({{\s*([\w\.\-\[\]$]+)\s*}})")


@dataclass(frozen=True)
class DeploymentSpec:
    #: workflow name (snake_case), also the deployment name
    name: str
    #: "flows/<name>.py:<flow function>"
    entrypoint: str
    description: str
    #: default parameter values for the deployment; a required parameter has none
    parameters: dict[str, object]
    tags: tuple[str, ...]
    #: the Prefect work queue; None for the pool's default queue
    work_queue_name: str | None
    #: a cron schedule, when the starter was a Sidekiq Enterprise periodic job
    cron: str | None


def render_prefect_yaml(
    project: str, specs: list[DeploymentSpec], work_pool: str = WORK_POOL,
    bridge_block: str = BRIDGE_BLOCK,
) -> str:
    template = _environment().get_template("prefect.yaml.j2")
    return template.render(project=project, specs=specs, work_pool=work_pool,
                           job_variables={"env": {"BATCH2FLOW_BRIDGE_BLOCK": bridge_block}})


def literal(value: object) -> object:
    """`value` with every Prefect placeholder in its strings broken (`{{ $X }}` becomes
    `{ { $X }}`), so that `prefect deploy` keeps the text instead of expanding it."""
    if isinstance(value, str):
        while PLACEHOLDER.search(value):
            value = PLACEHOLDER.sub(lambda m: "{ " + m.group(1)[1:], value)
        return value
    if isinstance(value, (list, tuple)):
        return [literal(v) for v in value]
    if isinstance(value, dict):
        return {literal(k): literal(v) for k, v in value.items()}
    return value


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
    return strict_environment({"yaml": to_yaml, "literal": literal})
