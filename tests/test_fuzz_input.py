"""Property: whatever one file of a tree holds, the graph comes out.

A fixture tree is copied, one of its Ruby files replaced by random bytes, truncated or
mutated byte by byte, and the graph pipeline run on it (in process, and through the CLI):
it never raises and never hangs, a broken file gets a diagnostic naming it, and every
workflow the file has no part in comes out exactly as from the intact tree.

Derandomized, so CI runs the same examples every time (`--hypothesis-show-statistics`
counts the kinds of damage they cover).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path

import tree_sitter_ruby
from click.testing import CliRunner
from conftest import FIXTURES
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tree_sitter import Language, Parser

from batch2flow.cli import main
from batch2flow.graph import build_graph
from batch2flow.nesting import MAX_NESTING
from batch2flow.prefilter import select
from batch2flow.render.json_format import render_json
from batch2flow.scanner import scan

#: small trees of different shapes (callbacks across files, fan-out, unreadable input)
TREES = ("seed_pipeline", "callback_targets", "fan_out", "bad_input", "child_batches")
FUZZ = settings(max_examples=80, derandomize=True, database=None, deadline=timedelta(seconds=10),
                suppress_health_check=[HealthCheck.too_slow])


#: what the nested damage starts with; no fixture holds it
_NESTED = b"\n# nested thousands deep\nx = "


def _ruby_files(tree: str) -> list[str]:
    root = FIXTURES / tree
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.rb")
                  if not p.relative_to(root).as_posix().startswith("expected"))


@st.composite
def damage(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """A fixture tree, one of its Ruby files, and what that file holds instead."""
    tree = draw(st.sampled_from(TREES))
    name = draw(st.sampled_from(_ruby_files(tree)))
    data = (FIXTURES / tree / name).read_bytes()
    kind = draw(st.sampled_from(["random bytes", "truncated", "bytes changed", "bytes inserted",
                                 "nested thousands deep"]))
    event(kind)
    if kind == "random bytes":
        return tree, name, draw(st.binary(max_size=600))
    if kind == "nested thousands deep":
        opening, closing = draw(st.sampled_from([(b"[", b"]"), (b"(", b")"), (b"begin\n", b"end\n"),
                                                 (b"if a\n", b"end\n"), (b"a + ", b"")]))
        levels = draw(st.integers(MAX_NESTING + 1, 5000))
        return tree, name, data + _NESTED + opening * levels + b"1\n" + closing * levels
    if kind == "truncated":
        return tree, name, data[: draw(st.integers(0, len(data)))]
    edits = draw(st.lists(st.tuples(st.integers(0, max(len(data) - 1, 0)), st.binary(min_size=1, max_size=3)),
                          min_size=1, max_size=6))
    out = bytearray(data)
    for at, chunk in sorted(edits, reverse=True):
        if kind == "bytes changed":
            out[at : at + len(chunk)] = chunk
        else:
            out[at:at] = chunk
    return tree, name, bytes(out)


def _copy(tree: str, folder: Path) -> Path:
    root = folder / tree
    shutil.copytree(FIXTURES / tree, root)
    return root


@cache
def _independent(tree: str, name: str) -> dict[str, str]:
    """The workflows (by starter, as JSON) that come out alike with and without `name`:
    whatever the file holds, they must come out so."""
    with tempfile.TemporaryDirectory() as folder:
        root = _copy(tree, Path(folder))
        intact = _by_starter(render_json(build_graph([str(root)])))
        (root / name).unlink()
        without = _by_starter(render_json(build_graph([str(root)])))
    return {starter: shown for starter, shown in intact.items() if without.get(starter) == shown}


def _by_starter(document: str) -> dict[str, str]:
    # a name may move to another starter when one is added or lost; the rest must not change
    return {wf["starter"]: json.dumps({k: v for k, v in wf.items() if k != "name"}, sort_keys=True)
            for wf in json.loads(document)["workflows"]}


def _broken(data: bytes) -> bool:
    """What the scanner or the parser must report: not UTF-8, binary, empty, no valid Ruby,
    or nested too deeply to read."""
    if _NESTED in data:
        return True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    parsed = Parser(Language(tree_sitter_ruby.language())).parse(text.encode("utf-8"))
    return b"\0" in data or not data.strip() or parsed.root_node.has_error


def _check(tree: str, name: str, data: bytes, document: str, root: Path) -> None:
    shown = json.loads(document)
    named = {d["file"] for d in shown["diagnostics"]}
    if _broken(data) and _read(root, name):
        event("file broken")
        assert name in named, (name, named)
    elif _broken(data):
        # the prefilter found nothing in it that could matter: never parsed, so its syntax
        # goes unchecked, and what it holds cannot change a workflow (checked below)
        event("file broken, not read")
    after = _by_starter(document)
    for starter, workflow in _independent(tree, name).items():
        assert after.get(starter) == workflow, f"workflow of {starter} changed with {name} damaged"


def _read(root: Path, name: str) -> bool:
    """The prefilter keeps the file: the graph parses it (see prefilter.py)."""
    scanned = scan([str(root)])
    chosen = select(scanned.files)
    return any(source.display == name and parse for source, parse in zip(scanned.files, chosen.parse,
                                                                        strict=True))


@contextmanager
def _damaged(case: tuple[str, str, bytes]) -> Iterator[Path]:
    """A copy of the case's fixture tree with the file damaged."""
    tree, name, data = case
    with tempfile.TemporaryDirectory() as folder:
        root = _copy(tree, Path(folder))
        (root / name).write_bytes(data)
        yield root


@FUZZ
@given(case=damage())
def test_one_damaged_file_costs_only_itself(case: tuple[str, str, bytes]) -> None:
    with _damaged(case) as root:
        document = render_json(build_graph([str(root)]))
        _check(*case, document, root)


@settings(FUZZ, max_examples=25)
@given(case=damage())
def test_the_cli_prints_the_graph_whatever_one_file_holds(case: tuple[str, str, bytes]) -> None:
    with _damaged(case) as root:
        result = CliRunner().invoke(main, ["graph", str(root), "--format", "json"])
        assert result.exit_code in (0, 1), result.output
        _check(*case, result.stdout_bytes.decode("utf-8"), root)
