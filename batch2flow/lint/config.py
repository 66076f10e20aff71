"""Lint settings: `[tool.batch2flow]` of a `pyproject.toml`, or a `.batch2flow.toml`.

The nearest file in or above the first scanned path wins (a `.batch2flow.toml` before a
`pyproject.toml` of the same folder); options given on the command line win over both.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib
    tomllib = None

SEVERITIES = ("info", "warning", "error")


class ConfigError(Exception):
    """A configuration file that cannot be read or holds a value of the wrong kind."""


@dataclass(frozen=True)
class LintSettings:
    #: codes or code prefixes to report; empty means every rule
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: the lowest severity that makes the run exit 1
    fail_on: str = "warning"
    #: the file the settings came from, None for the defaults
    source: Path | None = None


def find_settings(paths: list[str]) -> LintSettings:
    start = Path(paths[0]).resolve() if paths else Path.cwd()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        own = candidate / ".batch2flow.toml"
        if own.is_file():
            table = _load(own)
            return _settings(table.get("tool", {}).get("batch2flow", table), own)
        project = candidate / "pyproject.toml"
        if project.is_file():
            table = _load(project).get("tool", {}).get("batch2flow")
            if table is not None:
                return _settings(table, project)
    return LintSettings()


def _load(path: Path) -> dict[str, Any]:
    if tomllib is None:
        raise ConfigError(f"{path}: reading TOML needs Python 3.11 or later")
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from None


def _settings(table: dict[str, Any], path: Path) -> LintSettings:
    select, ignore = _codes(table, "select", path), _codes(table, "ignore", path)
    fail_on = table.get("fail-on", table.get("fail_on", "warning"))
    if fail_on not in SEVERITIES:
        raise ConfigError(f"{path}: fail-on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}")
    return LintSettings(select, ignore, fail_on, path)


def _codes(table: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} must be a list of codes")
    return tuple(v.strip().upper() for v in value)
