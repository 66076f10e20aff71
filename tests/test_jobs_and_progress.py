"""-j gives the same graph as one process; the progress bar shows on a terminal only."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch2flow import reading
from batch2flow.cli import main
from batch2flow.cli_run import ProgressBar, run_settings
from batch2flow.graph import Settings, build_graph
from batch2flow.render.json_format import render_json

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.mark.parametrize("fixture", ["seed_pipeline", "bad_input", "cross_file_callbacks"])
def test_two_processes_read_the_same_graph_as_one(fixture: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "_PARALLEL_FROM", 0)  # the fixtures are small: use the pool anyway
    paths = [str(FIXTURES / fixture)]
    assert render_json(build_graph(paths, settings=Settings(jobs=2))) == render_json(build_graph(paths))


def test_the_bar_waits_a_second_then_draws_and_erases_itself() -> None:
    now = [0.0]
    out = io.StringIO()
    bar = ProgressBar(out, clock=lambda: now[0])
    bar("files scanned", 10, 100)
    assert out.getvalue() == ""
    now[0] = 1.5
    bar("files scanned", 50, 100)
    assert "files scanned 50/100 [" in out.getvalue()
    bar.close()
    assert out.getvalue().endswith("\r\x1b[K")


def test_no_bar_without_a_terminal_or_with_quiet() -> None:
    assert run_settings(None, True, False, io.StringIO()).progress is None
    with open(os.devnull, "w") as devnull:
        assert run_settings(None, True, False, devnull).progress is None


def _graph_on_a_terminal(*extra: str) -> tuple[str, str]:
    """Run `graph` with stderr on a pseudo-terminal; (stdout, what the terminal showed)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "BATCH2FLOW_PROGRESS_AFTER": "0", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as stdout_file:
        run = subprocess.Popen([sys.executable, "-m", "batch2flow", "graph", str(FIXTURES / "seed_pipeline"),
                                "--format", "json", *extra], stdout=stdout_file, stderr=follower, env=env)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closes with the process
                break
            if not chunk:
                break
            shown += chunk
        run.wait(timeout=60)
        os.close(leader)
        stdout_file.seek(0)
        return stdout_file.read().decode(), shown.decode(errors="replace")


def test_the_bar_shows_on_a_terminal_and_leaves_stdout_alone() -> None:
    stdout, shown = _graph_on_a_terminal()
    stages = ("files scanned", "files parsed", "workflows read", "lint rules run")
    assert all(stage in shown for stage in stages)
    # erased at the end, before the diagnostics are printed under it
    after_the_bar = shown.rsplit("\r\x1b[K", 1)[1]
    assert not any(stage in after_the_bar for stage in stages)
    assert after_the_bar == "" or after_the_bar.startswith("app/")
    assert "files scanned" not in stdout and stdout.startswith("{")


def test_quiet_shows_no_bar_on_a_terminal() -> None:
    _stdout, shown = _graph_on_a_terminal("--quiet")
    assert "files scanned" not in shown


def test_no_bar_when_stderr_is_no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCH2FLOW_PROGRESS_AFTER", "0")
    result = CliRunner().invoke(main, ["graph", str(FIXTURES / "seed_pipeline")])
    assert "files scanned" not in result.stderr and "\r" not in result.stderr
