"""The `bridge` pipeline: graph -> allowlist -> the Ruby bridge's files, unstamped.

The Ruby files are plain files under templates/bridge (nothing of the app goes into
them); the only rendered one is allowlist.json, whose values pass through json.dumps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from batch2flow.codegen.bridge_allowlist import bridge_allowlist
from batch2flow.diagnostics import Diagnostic
from batch2flow.graph import build_graph
from batch2flow.ir import Graph
from batch2flow.scanner import DEFAULT_MAX_BYTES

ALLOWLIST = "batch2flow_bridge/allowlist.json"
MOUNT_LINE = 'mount Batch2flow::Bridge::App.new => "/batch2flow"'
INITIALIZER_LINES = 'require "batch2flow_bridge"\nBatch2flow::Bridge.install!'


@dataclass(frozen=True)
class BridgeOutput:
    graph: Graph
    #: output path (posix, relative to the output folder) -> content, unstamped
    files: dict[str, str]
    diagnostics: tuple[Diagnostic, ...]


def build_bridge(paths: list[str], max_bytes: int = DEFAULT_MAX_BYTES) -> BridgeOutput:
    graph = build_graph(paths, max_bytes)
    return BridgeOutput(graph, bridge_files(graph, _app_root(paths)), graph.diagnostics)


def bridge_files(graph: Graph, app_root: str | None) -> dict[str, str]:
    files = {path: text for path, text in _templates()}
    files[ALLOWLIST] = allowlist_body(bridge_allowlist(graph, app_root))
    return dict(sorted(files.items()))


def allowlist_body(document: dict[str, object]) -> str:
    """The JSON object without its opening brace: the writer's stamp opens it (a JSON file
    has no comments, so the stamp is its first member)."""
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return text.removeprefix("{\n")


def _app_root(paths: list[str]) -> str | None:
    """The one scanned folder, when it is given relative (an absolute one names a place on
    this machine only): sites are relative to it."""
    if len(paths) != 1 or not Path(paths[0]).is_dir() or Path(paths[0]).is_absolute():
        return None
    return PurePosixPath(Path(paths[0]).as_posix()).as_posix()


def _templates() -> list[tuple[str, str]]:
    root = resources.files("batch2flow.templates").joinpath("bridge")
    return sorted(_walk(root, ""))


def _walk(folder: Traversable, prefix: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for entry in folder.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            found += _walk(entry, f"{name}/")
        elif entry.name.endswith((".rb", ".ru")):
            found.append((name, entry.read_text(encoding="utf-8")))
    return found
