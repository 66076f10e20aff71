"""The result cache: a second run of an unchanged tree is read back, never stale, never fatal."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch2flow import cache, pipeline
from batch2flow.cli import main
from batch2flow.graph import Settings, build_graph
from batch2flow.render.json_format import render_json

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
STARTER = """class Flow
  def self.start
    batch = Sidekiq::Batch.new
    batch.jobs { StepWorker.perform_async(1) }
  end
end
"""
WORKER = "class StepWorker\n  include Sidekiq::Job\n  def perform(id)\n  end\nend\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "flow.rb").write_text(STARTER, encoding="utf-8")
    (app / "step_worker.rb").write_text(WORKER, encoding="utf-8")
    return app


def analyses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the analyses that really ran (the cache was not used)."""
    ran: list[int] = []
    real = pipeline.analyse

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        ran.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "analyse", counting)
    return ran


def test_an_unchanged_tree_is_read_back_from_the_cache(tree: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ran = analyses(monkeypatch)
    settings = Settings(cache=tmp_path / "cache")
    first = build_graph([str(tree)], settings=settings)
    second = build_graph([str(tree)], settings=settings)
    assert len(ran) == 1
    assert render_json(second) == render_json(first) == render_json(build_graph([str(tree)]))
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".pickle"]


def test_a_changed_file_is_another_entry(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = analyses(monkeypatch)
    settings = Settings(cache=tmp_path / "cache")
    build_graph([str(tree)], settings=settings)
    (tree / "flow.rb").write_text(STARTER.replace("StepWorker.perform_async(1)", "Other.perform_async(1)"),
                                  encoding="utf-8")
    changed = build_graph([str(tree)], settings=settings)
    assert len(ran) == 2
    assert [j.worker for w in changed.workflows for j in w.jobs] == ["Other"]


def test_a_corrupt_entry_is_ignored_and_written_again(tree: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    settings = Settings(cache=folder)
    expected = render_json(build_graph([str(tree)], settings=settings))
    [entry] = list(folder.iterdir())
    entry.write_bytes(b"\x80\x05not a pickle")
    assert render_json(build_graph([str(tree)], settings=settings)) == expected
    graph, _findings = pickle.loads(entry.read_bytes())
    assert render_json(graph) == expected


def test_an_unwritable_cache_is_no_error(tree: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    graph = build_graph([str(tree)], settings=Settings(cache=blocked / "cache"))
    assert [w.name for w in graph.workflows]


def test_the_folder_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BATCH2FLOW_NO_CACHE")
    monkeypatch.setenv("BATCH2FLOW_CACHE_DIR", str(tmp_path / "here"))
    assert cache.default_folder() == tmp_path / "here"
    monkeypatch.delenv("BATCH2FLOW_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.default_folder() == tmp_path / "xdg" / "batch2flow"
    monkeypatch.setenv("BATCH2FLOW_NO_CACHE", "1")
    assert cache.default_folder() is None


@pytest.mark.parametrize("flag", [[], ["--no-cache"]])
def test_the_commands_use_the_cache_unless_told_not_to(flag: list[str], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BATCH2FLOW_NO_CACHE")
    folder = tmp_path / "cache"
    monkeypatch.setenv("BATCH2FLOW_CACHE_DIR", str(folder))
    fixture = str(FIXTURES / "fan_out")
    runs = [CliRunner().invoke(main, ["graph", fixture, "--format", "json", *flag]) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout == render_json(build_graph([fixture]))
    assert folder.is_dir() == (not flag)


def _age(tree: Path, seconds: int = 3600) -> None:
    """Files last changed an hour ago: their metadata can be trusted (see cache_index.py)."""
    import os
    import time

    for path in tree.rglob("*.rb"):
        then = time.time() - seconds
        os.utime(path, (then, then))


def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that read the files."""
    from batch2flow import reading

    done: list[int] = []
    real = reading.read_tree

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        done.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(reading, "read_tree", counting)
    return done


def test_an_unchanged_tree_is_found_without_reading_a_file(tree: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _age(tree)
    read = reads(monkeypatch)
    settings = Settings(cache=tmp_path / "cache")
    first = build_graph([str(tree)], settings=settings)
    second = build_graph([str(tree)], settings=settings)
    assert len(read) == 1 and render_json(second) == render_json(first)
    # a file changed: its metadata differs, the files are read, and the result is the new one
    (tree / "step_worker.rb").write_text(WORKER.replace("StepWorker", "OtherWorker"), encoding="utf-8")
    third = build_graph([str(tree)], settings=settings)
    assert len(read) == 2 and render_json(third) != render_json(first)


def test_files_changed_a_moment_ago_are_read_again(tree: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    read = reads(monkeypatch)
    settings = Settings(cache=tmp_path / "cache")
    build_graph([str(tree)], settings=settings)
    build_graph([str(tree)], settings=settings)
    # a change within the timestamps' resolution could go unseen: no shortcut for them
    assert len(read) == 2
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith("index-")]


#: the block is never closed: a syntax error Ruby confirms
BROKEN = STARTER.replace("perform_async(1) }", "perform_async(1) ")


@pytest.mark.parametrize("output_format", ["json", "text", "mermaid"])
def test_graph_prints_the_same_from_its_cached_printout_without_the_graph(
        output_format: str, tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from batch2flow import graph

    monkeypatch.delenv("BATCH2FLOW_NO_CACHE")
    monkeypatch.setenv("BATCH2FLOW_CACHE_DIR", str(tmp_path / "cache"))
    (tree / "flow.rb").write_text(BROKEN, encoding="utf-8")  # a diagnostic on stderr, exit 1
    _age(tree)
    command = ["graph", str(tree), "--format", output_format]
    first = CliRunner().invoke(main, command)
    loaded: list[int] = []
    real = graph._cached
    monkeypatch.setattr(graph, "_cached", lambda *a: loaded.append(1) or real(*a))
    second = CliRunner().invoke(main, command)
    assert not loaded  # neither the graph nor the findings were loaded, let alone rebuilt
    assert (second.stdout, second.stderr, second.exit_code) == (first.stdout, first.stderr, first.exit_code)
    assert first.exit_code == 1 and "B2F010" in first.stderr and "^" in first.stderr
    uncached = CliRunner().invoke(main, [*command, "--no-cache"])
    assert (uncached.stdout, uncached.stderr, uncached.exit_code) == (first.stdout, first.stderr, 1)
    # another format, or a changed file, is another printout
    (tree / "flow.rb").write_text(STARTER, encoding="utf-8")
    _age(tree)
    mended = CliRunner().invoke(main, command)
    assert mended.exit_code == 0 and "B2F010" not in mended.stderr and loaded
