"""The one jinja setup every template of `templates/` is rendered with."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

import jinja2


def strict_environment(filters: dict[str, Callable[..., Any]]) -> jinja2.Environment:
    """Strict: a missing value is an error, never an empty piece of generated output.
    No autoescaping: outputs are Python, YAML and Markdown, each with its own filters."""
    source = resources.files("batch2flow.templates")
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: source.joinpath(name).read_text(encoding="utf-8")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(filters)
    return env
