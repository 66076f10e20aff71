"""Every command in a terminal: stdout holds what was asked for, diagnostics go to stderr
with their line and a caret, nothing from the Ruby reaches the terminal as an escape
sequence, and a path with nothing to work on says so at once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from batch2flow.cli import main

BAD = str(FIXTURES / "bad_input")
#: what a terminal would act on, if it got through
ESCAPES = {"\x1b", "\x07", "\x9b", "\u202e"}
#: line 9 holds the unknown event, whose name sets the terminal's title (OSC: click strips
#: only CSI sequences, and only when stdout is no terminal); line 2 holds what
#: str.splitlines() breaks at (U+2028, a form feed), line 8 more escape sequences;
#: `résumé` puts non-ASCII before the column
TRICKY = (
    "# frozen_string_literal: true\n"
    "# a separator \u2028 and a form feed \x0c in a comment\n"
    "class NightlyWorker\n"
    "  include Sidekiq::Worker\n"
    "\n"
    "  def perform\n"
    "    batch = Sidekiq::Batch.new\n"
    '    batch.description = "\x1b[2J\x1b]8;;http://evil\x07 \u202e"\n'
    '    résumé = 1; batch.on(:"sucess\x1b]0;pwned\x07", "NightlyWorker#done")\n'
    "    batch.jobs { StepWorker.perform_async }\n"
    "  end\n"
    "\n"
    "  def done(status, options); end\n"
    "end\n"
    "\n"
    "class StepWorker\n"
    "  include Sidekiq::Worker\n"
    "  def perform; end\n"
    "end\n"
)
ON_LINE_9 = '        résumé = 1; batch.on(:"sucess\\x1b]0;pwned\\x07", "NightlyWorker#done")'


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "nightly_worker.rb").write_text(TRICKY, encoding="utf-8")
    return tmp_path


def _block(stderr: str, code: str) -> list[str]:
    """The diagnostic line of `code` and the two lines under it."""
    lines = stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if f" {code} " in line)
    return lines[at:at + 3]


def test_graph_text_prints_the_tree_alone_and_the_diagnostics_on_stderr() -> None:
    result = run("graph", BAD)
    assert result.exit_code == 1
    assert "B2F" not in result.stdout and "diagnostics:" not in result.stdout
    # the summary still counts them
    assert re.fullmatch(r"\d+ workflows?, \d+ jobs?, [1-9]\d* errors?, \d+ warnings?",
                        result.stdout.splitlines()[-1])
    head, source, caret = _block(result.stderr, "B2F101")
    assert head.startswith("app/") and "[error]" in head and ":sucess" in head
    col = int(head.split(":")[2])
    assert source.startswith("    ") and caret.strip() == "^"
    assert source[caret.index("^")] == ":" and caret.index("^") == 4 + col - 1


@pytest.mark.parametrize("args", [
    pytest.param(["graph"], id="graph_text"),
    pytest.param(["graph", "--format", "mermaid"], id="graph_mermaid"),
    pytest.param(["graph", "--format", "json"], id="graph_json"),
    pytest.param(["lint"], id="lint_text"),
])
def test_the_caret_is_under_the_column_after_line_breaks_and_escapes(tricky: Path, args: list[str]) -> None:
    result = run(args[0], str(tricky), *args[1:])
    assert result.exit_code == 1
    assert not ESCAPES & set(result.stdout + result.stderr)
    head, source, caret = _block(result.stderr, "B2F101")
    assert head.startswith("app/nightly_worker.rb:9:26: B2F101 [error]")
    assert source == ON_LINE_9  # line 9 as the parser counts lines, not as splitlines() does
    assert source[caret.index("^"):].startswith(':"sucess')


def test_the_text_tree_shows_escape_sequences_as_text(tricky: Path) -> None:
    result = run("graph", str(tricky))
    assert 'batch b1 "\\x1b[2J\\x1b]8;;http://evil\\x07 \\u202e"' in result.stdout
    assert not ESCAPES & set(result.stdout)


def test_lint_json_github_and_sarif_stay_on_stdout_and_escape_nothing_raw(tricky: Path) -> None:
    for output_format in ("json", "github", "sarif"):
        result = run("lint", str(tricky), "--format", output_format)
        assert result.exit_code == 1
        assert "B2F101" in result.stdout and result.stderr == ""
        assert not ESCAPES & set(result.stdout)


def test_a_disable_comment_after_a_form_feed_silences_its_own_line(tmp_path: Path) -> None:
    (tmp_path / "w.rb").write_text(
        TRICKY.replace('"NightlyWorker#done")\n', '"NightlyWorker#done") # batch2flow: disable=B2F101\n'),
        encoding="utf-8")
    document = json.loads(run("lint", str(tmp_path), "--format", "json").stdout)
    assert "B2F101" not in {d["code"] for d in document["diagnostics"]}


@pytest.fixture
def no_batches(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "user.rb").write_text("class User\n  def name; end\nend\n", encoding="utf-8")
    (tmp_path / "app" / "mailer.rb").write_text("class Mailer\nend\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("args", "status"), [
    pytest.param(["graph"], 0, id="graph_text"),
    pytest.param(["graph", "--format", "json"], 0, id="graph_json"),
    pytest.param(["graph", "--format", "mermaid"], 0, id="graph_mermaid"),
    pytest.param(["lint"], 0, id="lint"),
    pytest.param(["lint", "--format", "sarif"], 0, id="lint_sarif"),
    pytest.param(["convert", "-o", "{out}"], 1, id="convert"),
    pytest.param(["convert", "--check", "-o", "{out}"], 1, id="convert_check"),
    pytest.param(["bridge", "-o", "{out}"], 1, id="bridge"),
])
def test_no_batch_workflow_is_said_on_stderr(no_batches: Path, tmp_path: Path, args: list[str],
                                              status: int) -> None:
    out = tmp_path / "out"
    result = run(args[0], str(no_batches), *[a.format(out=out) for a in args[1:]])
    assert result.exit_code == status
    assert result.stderr.splitlines()[-1].endswith(
        f"no Sidekiq batch workflows found under {no_batches} (2 Ruby files read)")
    assert "no Sidekiq" not in result.stdout
    assert not out.exists()  # convert and bridge write nothing for nothing


def test_no_ruby_at_all_is_said_too(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("not Ruby\n")
    result = run("graph", str(tmp_path), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["workflows"] == []
    assert result.stderr == f"batch2flow: no Ruby files found under {tmp_path}\n"


@pytest.mark.parametrize("extra", [pytest.param([], id="prefect"), pytest.param(["--sidekiq"], id="sidekiq")])
def test_rehearse_with_nothing_to_rehearse_starts_nothing(no_batches: Path, monkeypatch: pytest.MonkeyPatch,
                                                          extra: list[str]) -> None:
    def started(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("started a rehearsal with nothing to rehearse")

    monkeypatch.setattr("batch2flow.rehearse.throwaway_prefect_api", started)
    monkeypatch.setattr("batch2flow.rehearse.rehearse", started)
    monkeypatch.setattr("batch2flow.sidekiq_rehearsal.rehearse_with_sidekiq", started)
    result = run("rehearse", str(no_batches), *extra)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (f"batch2flow: no Sidekiq batch workflows found under {no_batches} "
                             "(2 Ruby files read)\n")


def test_the_caret_of_a_non_utf8_byte_is_under_it_after_other_non_ascii(tmp_path: Path) -> None:
    (tmp_path / "legacy.rb").write_bytes("# été, naïve: ".encode() + b"caf\xe9\nclass Legacy\nend\n")
    result = run("graph", str(tmp_path))
    head, source, caret = _block(result.stderr, "B2F002")
    assert head.startswith("legacy.rb:1:18: B2F002 [warning]")  # a character column, not a byte one
    assert source[caret.index("^")] == "\ufffd"
