"""Hostile trees: FIFOs, links out of the tree, endless devices, thousands of nesting
levels, names no terminal or JSON can hold. Each is reported by name, never hangs or
crashes, and the workflows of the other files still come out."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_bad_input import GOOD

from batch2flow.cli import main
from batch2flow.graph import build_graph
from batch2flow.render.mermaid import render_mermaid
from batch2flow.render.text import render_text
from batch2flow.scanner import scan


def _tree(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "good.rb").write_text(GOOD)
    return app


def _found(graph) -> list[tuple[str, str]]:
    return sorted((d.code, d.file) for d in graph.diagnostics)


def _graph_json(*paths: Path) -> tuple[int, dict]:
    """`graph --format json` through the CLI: its exit status and its document, which must
    be valid UTF-8."""
    result = CliRunner().invoke(main, ["graph", *map(str, paths), "--format", "json"])
    return result.exit_code, json.loads(result.stdout_bytes.decode("utf-8"))


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(signal, "SIGALRM"), reason="no FIFOs here")
def test_a_fifo_named_like_ruby_is_reported_not_opened(tmp_path):
    app = _tree(tmp_path)
    os.mkfifo(app / "x.rb")

    def hung(*_: object) -> None:
        raise AssertionError("the scan waits for a writer to the FIFO")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        graph = build_graph([str(app)])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert _found(graph) == [("B2F006", "x.rb")]
    assert "FIFO" in graph.diagnostics[0].message
    assert [w.name for w in graph.workflows] == ["flow"]


def test_a_link_to_an_endless_device_is_never_read(tmp_path):
    app = _tree(tmp_path)
    os.symlink("/dev/zero", app / "zero.rb")
    graph = build_graph([str(app)])
    assert _found(graph) == [("B2F007", "zero.rb")]
    assert [w.name for w in graph.workflows] == ["flow"]


def test_a_device_given_by_name_is_refused(tmp_path):
    # the user named it, so its link is followed: to something that is no regular file
    os.symlink("/dev/zero", tmp_path / "zero.rb")
    result = scan([str(tmp_path / "zero.rb")])
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("B2F006", "a character device, not a regular file; skipped unread")]


def test_links_out_of_the_tree_are_not_followed(tmp_path):
    app = _tree(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.rb").write_text(GOOD.replace("Flow", "Secret"))
    os.symlink(outside / "secret.rb", app / "secret.rb")
    os.symlink(outside, app / "shared")
    os.symlink("/", app / "root")
    graph = build_graph([str(app)])
    assert _found(graph) == [("B2F007", "root"), ("B2F007", "secret.rb"), ("B2F007", "shared")]
    assert [w.name for w in graph.workflows] == ["flow"]
    assert all(d.severity.value == "warning" for d in graph.diagnostics)


def test_links_inside_the_scanned_paths_are_followed(tmp_path):
    app = _tree(tmp_path)
    other = tmp_path / "lib"
    other.mkdir()
    (other / "b.rb").write_text(GOOD.replace("Flow", "Other").replace(" A", " B"))
    os.symlink(other / "b.rb", app / "b_link.rb")
    os.symlink(app, app / "loop")
    # lib is scanned too, so the link into it stays inside; each file is read once
    result = scan([str(app), str(other)])
    assert [f.display for f in result.files] == ["b_link.rb", "good.rb"]
    assert result.diagnostics == ()


def test_the_walk_knows_each_file_by_its_real_path_links_resolved(tmp_path):
    from batch2flow.scanner_tree import roots_of, ruby_files

    app = _tree(tmp_path)
    (app / "deep" / "er").mkdir(parents=True)
    (app / "deep" / "er" / "c.rb").write_text(GOOD)
    os.symlink(app / "deep", app / "shortcut")  # a folder link: its files by two paths
    os.symlink(app / "good.rb", app / "deep" / "alias.rb")
    found, _problems = ruby_files(str(app), roots_of([str(app)]))
    # the folder is walked once (by `deep`); the file link is listed beside its target
    assert sorted(c.display for c in found) == ["deep/alias.rb", "deep/er/c.rb", "good.rb"]
    assert all(c.real == os.path.realpath(c.path) for c in found)
    # and so each file is read once, by the first path the walk meets it at (a folder's
    # own files before its subfolders')
    assert sorted(f.display for f in scan([str(app)]).files) == ["deep/er/c.rb", "good.rb"]


def test_a_linked_argument_is_followed_once_and_bounds_the_walk(tmp_path):
    app = _tree(tmp_path)
    os.symlink(app, tmp_path / "current")
    os.symlink(tmp_path, app / "up")  # out of the argument's target
    result = scan([str(tmp_path / "current")])
    assert [f.display for f in result.files] == ["good.rb"]
    assert [(d.code, d.file) for d in result.diagnostics] == [("B2F007", "up")]


def test_every_read_is_capped(tmp_path, monkeypatch):
    app = _tree(tmp_path)
    (app / "big.rb").write_text("x = 1\n" * 1000)
    result = scan([str(app)], max_bytes=1000)
    [problem] = result.diagnostics
    assert (problem.code, problem.file) == ("B2F005", "big.rb")
    assert problem.message.startswith("6000 bytes is over the 1000-byte limit")
    # a size of 0 (what /proc files and devices report) is not believed: the read stops
    real_fstat = os.fstat

    def lying(descriptor: int) -> os.stat_result:
        info = list(real_fstat(descriptor))
        info[6] = 0  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(os, "fstat", lying)
    [problem] = scan([str(app)], max_bytes=1000).diagnostics
    assert problem.message.startswith("more than 1000 bytes is over the 1000-byte limit")


DEEP = {
    "brackets": lambda n: "x = " + "[" * n + "1" + "]" * n + "\n",
    "begins": lambda n: "begin\n" * n + "x = 1\n" + "end\n" * n,
    "ifs": lambda n: "if a\n" * n + "x = 1\n" + "end\n" * n,
    "plus": lambda n: "x = " + " + ".join(["a"] * n) + "\n",
}


@pytest.mark.parametrize(("kind", "levels"), [("brackets", 3000), ("begins", 3000), ("ifs", 5000),
                                              ("plus", 20_000)])
def test_deep_nesting_skips_the_file_and_keeps_the_others(tmp_path, kind, levels):
    app = _tree(tmp_path)
    # a job class first: the prefilter reads the file (one that cannot matter is never parsed)
    (app / "deep.rb").write_text("class DeepWorker\n  include Sidekiq::Job\nend\n" + DEEP[kind](levels))
    started = time.monotonic()
    status, document = _graph_json(app)
    assert time.monotonic() - started < 20
    assert status == 0
    assert [w["name"] for w in document["workflows"]] == ["flow"]
    [deep] = [d for d in document["diagnostics"] if d["file"] == "deep.rb"]
    assert (deep["code"], deep["severity"]) == ("B2F008", "warning")
    assert "too deep to read; file skipped" in deep["message"]


def test_a_deep_file_still_below_the_bound_is_read(tmp_path):
    app = _tree(tmp_path)
    (app / "deep.rb").write_text(DEEP["brackets"](100))
    graph = build_graph([str(app)])
    assert _found(graph) == []
    render_text(graph), render_mermaid(graph)


def test_calls_nested_past_the_bound_are_reported_where_they_stop(tmp_path):
    app = _tree(tmp_path)
    chain = [f"class W{i}\n  include Sidekiq::Job\n  def perform\n    W{i + 1}.perform_async\n  end\nend\n"
             for i in range(300)]
    chain.append("class W300\n  include Sidekiq::Job\n  def perform; end\nend\n"
                 "class Go\n  def go\n    Sidekiq::Batch.new.jobs { W0.perform_async }\n  end\nend\n")
    (app / "chain.rb").write_text("".join(chain))
    graph = build_graph([str(app)])
    [stop] = [d for d in graph.diagnostics if d.file == "chain.rb"]
    assert stop.code == "B2F108" and "W32.perform_async" in stop.message
    assert sorted(w.name for w in graph.workflows) == ["flow", "go_go"]


NAMES = [b"\xff\xfe.rb", b"new\nline.rb", b"back`tick`.rb", b"pipe|]\"quote'.rb", b"esc\x1b[31m.rb",
         b"bidi\xe2\x80\xae.rb", b"back\\slash.rb"]


@pytest.mark.skipif(os.name != "posix", reason="file names as bytes")
def test_hostile_file_names_keep_every_output_intact(tmp_path):
    app = _tree(tmp_path)
    for name in NAMES:
        flow = name.decode("utf-8", "replace").encode("ascii", "replace").hex()
        (Path(os.fsdecode(bytes(app) + b"/" + name))).write_text(
            GOOD.replace("class Flow", f"class F{flow}").replace("A.perform", "Missing.perform"))
    status, document = _graph_json(app)
    assert status == 0
    shown = {d["file"] for d in document["diagnostics"] if d["code"] == "B2F104"}
    assert shown == {"\\xff\\xfe.rb", "new\\nline.rb", "back`tick`.rb", "pipe|]\"quote'.rb",
                     "esc\\x1b[31m.rb", "bidi\\u202e.rb", "back\\\\slash.rb"}
    escaped = {d["file"] for d in document["diagnostics"] if d["code"] == "B2F012"}
    assert escaped == shown - {"back`tick`.rb", "pipe|]\"quote'.rb"}
    assert len(document["workflows"]) == len(NAMES) + 1
    graph = build_graph([str(app)])
    text = render_text(graph)
    assert "\x1b" not in text and "\u202e" not in text
    mermaid = render_mermaid(graph)
    # the Markdown line under each heading stays text: no code span, table cell or HTML opened
    headers = [line for line in mermaid.splitlines() if "#call, " in line]
    assert len(headers) == len(NAMES) + 1
    assert "F6261636b607469636b602e7262#call, back\\`tick\\`.rb:4" in headers
    assert all(not re.search(r"(?<!\\)(\\\\)*[`|<>\[\]]", line) for line in headers), headers
    for line in mermaid.splitlines():
        if "[\"" in line:  # a node label: one line, no raw quote, backtick or bracket inside
            label = line.split('["', 1)[1].rsplit('"]', 1)[0]
            assert not set(label) & set('"`[]|\n'), line


def test_a_callback_chain_too_deep_to_write_costs_only_its_own_flow(tmp_path):
    from batch2flow.convert import convert

    app = _tree(tmp_path)
    steps = ["class Start\n  def go\n    b = Sidekiq::Batch.new\n    b.on(:success, 'Cb0#done')\n"
             "    b.jobs { A.perform_async }\n  end\nend\n"]
    steps += [f"class Cb{i}\n  def done(status, options)\n    b = Sidekiq::Batch.new\n"
              f"    b.on(:success, 'Cb{i + 1}#done')\n    b.jobs {{ A.perform_async }}\n  end\nend\n"
              for i in range(400)]
    (app / "chain.rb").write_text("".join(steps) + "class Cb400\n  def done(status, options); end\nend\n")
    conversion = convert([str(app)], tasks="translated")
    assert sorted(conversion.files) == ["MIGRATION.md", "diagrams/flow.md", "flows/flow.py", "prefect.yaml"]
    [cut] = [d for d in conversion.diagnostics if d.code == "B2F108"]
    assert (cut.file, cut.line) == ("chain.rb", 3)
    assert "workflow start_go" in cut.message and "no flow was written" in cut.message


def test_a_caret_is_not_worth_reading_a_huge_file(tmp_path, monkeypatch):
    from batch2flow.lint import files

    app = _tree(tmp_path)
    (app / "big.rb").write_text("x = Sidekiq::Batch.new\n" + "# filler\n" * 200)
    shown = files.source_line("big.rb", 1, [str(app)])
    assert shown == "x = Sidekiq::Batch.new"
    monkeypatch.setattr(files, "_MOST_READ", 1000)
    assert files.source_line("big.rb", 1, [str(app)]) is None


def test_no_report_shows_the_text_of_a_file_outside_the_tree(tmp_path):
    app = _tree(tmp_path)
    (tmp_path / "secret.rb").write_text("TOKEN = 'hunter2'\n")
    os.symlink(tmp_path / "secret.rb", app / "secret.rb")
    runner = CliRunner()
    for command in (["graph", str(app), "--format", "mermaid"], ["lint", str(app)]):
        result = runner.invoke(main, command)
        assert "secret.rb:1:1: B2F007" in result.stderr + result.stdout, command
        assert "hunter2" not in result.stderr + result.stdout, command
