"""`convert --tasks ruby`: flows that run every Ruby method in Ruby and submit what it
planned. Checked on every fixture: they compile, pass `ruff check` and `ruff format
--check` with ruff's defaults, translate no Ruby (no marker, no orchestration_step), claim
every call site of the graph, and come out byte-identical from one run to the next.
(They run against real Sidekiq in tests/test_plan_run_sidekiq.py.)
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from batch2flow.convert import convert

FIXTURES = sorted(p for p in (Path(__file__).parent.parent / "fixtures").iterdir()
                  if p.is_dir() and p.name != "bad_input")
TRANSLATIONS = ("orchestration_step", "ruby_value", "ruby_items", "ruby_condition", "UntranslatedRuby")


@pytest.fixture(scope="module", params=FIXTURES, ids=lambda p: p.name)
def converted(request: pytest.FixtureRequest) -> tuple[Path, dict[str, str]]:
    fixture: Path = request.param
    return fixture, convert([str(fixture)], tasks="ruby").files


def flows(files: dict[str, str]) -> dict[str, str]:
    return {path: text for path, text in files.items() if path.startswith("flows/")}


def claimed_sites(text: str) -> set[tuple[str, ...]]:
    """(method, literal arguments...) of every `plan.jobs(...)`, `plan.jobs_at(...)` and
    `plan.callbacks_at(...)` call in the flow."""
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "plan":
            found.add((node.func.attr, *(str(ast.literal_eval(arg)) for arg in node.args)))
    return found


def test_no_ruby_is_translated_and_every_graph_site_is_claimed(
        converted: tuple[Path, dict[str, str]]) -> None:
    fixture, files = converted
    graph = convert([str(fixture)], tasks="ruby").graph
    for workflow in graph.workflows:
        text = files[f"flows/{workflow.name}.py"]
        assert not [word for word in TRANSLATIONS if word in text]
        sites = claimed_sites(text)
        for job in workflow.jobs:
            where = (job.span.file, str(job.span.line))
            assert ("jobs_at", *where) in sites if job.placeholder else ("jobs", job.worker, *where) in sites
        for callback in workflow.callbacks:
            assert ("callbacks_at", callback.span.file, str(callback.span.line)) in sites


def test_the_same_tree_gives_the_same_bytes(converted: tuple[Path, dict[str, str]]) -> None:
    fixture, files = converted
    assert convert([str(fixture)], tasks="ruby").files == files


def test_ruff_finds_nothing_to_say_or_to_reformat(converted: tuple[Path, dict[str, str]],
                                                  tmp_path: Path) -> None:
    ruff = shutil.which("ruff")
    assert ruff is not None, "ruff is a test dependency (pyproject.toml [test])"
    for path, text in flows(converted[1]).items():
        (tmp_path / Path(path).name).write_text(text, encoding="utf-8")
    for command in (["check", "--isolated", "."], ["format", "--isolated", "--check", "."]):
        done = subprocess.run([ruff, *command], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_what_a_ruby_flow_cannot_do_yet_is_a_counted_diagnostic() -> None:
    fixtures = Path(__file__).parent.parent / "fixtures"
    starters = convert([str(fixtures / "starters")], tasks="ruby").diagnostics
    not_callable = sorted(d.file for d in starters if d.code == "B2F209")
    assert not_callable == ["app/controllers/admin/exports_controller.rb",
                            "lib/maintenance/reindex_catalog.rb"]
    cycles = convert([str(fixtures / "cycles")], tasks="ruby").diagnostics
    assert {d.file for d in cycles if d.code == "B2F210"} == {
        "app/callbacks/digests/daily_digest_callback.rb", "app/callbacks/feeds/poll_feeds_callback.rb"}
    # nothing of the translating planner is reported where no Ruby is translated
    assert not [d for d in starters + cycles if d.code in ("B2F201", "B2F202", "B2F203", "B2F206")]
