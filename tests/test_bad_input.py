"""Files that cannot be read cleanly get a diagnostic naming them; the run goes on."""

from __future__ import annotations

import os

from batch2flow.graph import build_graph
from batch2flow.scanner import scan

GOOD = """
class Flow
  def call
    Sidekiq::Batch.new.jobs { A.perform_async }
  end
end
class A
  include Sidekiq::Job
  def perform; end
end
"""


def _codes(graph):
    return [(d.code, d.file, d.line) for d in graph.diagnostics]


def test_syntax_error_keeps_valid_parts(tmp_path):
    (tmp_path / "broken.rb").write_text(GOOD + "\nclass Broken\n  def oops(\n    x = [1, 2\n  end\nend\n")
    graph = build_graph([str(tmp_path)])
    assert [w.name for w in graph.workflows] == ["flow"]
    [problem] = graph.diagnostics
    assert (problem.code, problem.severity.value, problem.file) == ("B2F010", "error", "broken.rb")
    assert problem.line >= 12


def test_clean_file_has_no_syntax_error(tmp_path):
    (tmp_path / "good.rb").write_text(GOOD)
    assert build_graph([str(tmp_path)]).diagnostics == ()


def test_non_utf8_is_read_with_a_warning(tmp_path):
    (tmp_path / "latin1.rb").write_bytes(b"# caf\xe9\n" + GOOD.encode())
    graph = build_graph([str(tmp_path)])
    assert _codes(graph) == [("B2F002", "latin1.rb", 1)]
    assert [w.name for w in graph.workflows] == ["flow"]


def test_binary_empty_and_unreadable_files(tmp_path):
    (tmp_path / "good.rb").write_text(GOOD)
    (tmp_path / "blob.rb").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.rb").write_text("")
    (tmp_path / "blank.rb").write_text("\n  \n")
    os.symlink(tmp_path / "missing-target.rb", tmp_path / "dangling.rb")
    graph = build_graph([str(tmp_path)])
    assert sorted(_codes(graph)) == [
        ("B2F001", "dangling.rb", 1), ("B2F003", "blob.rb", 1),
        ("B2F004", "blank.rb", 1), ("B2F004", "empty.rb", 1),
    ]
    assert [w.name for w in graph.workflows] == ["flow"]


def test_very_large_file_is_skipped(tmp_path):
    (tmp_path / "huge.rb").write_text("# filler\n" * 300_000)
    (tmp_path / "good.rb").write_text(GOOD)
    graph = build_graph([str(tmp_path)])
    assert _codes(graph) == [("B2F005", "huge.rb", 1)]
    assert build_graph([str(tmp_path)], max_bytes=10_000_000).diagnostics == ()


def test_scan_order_skips_and_symlink_loops(tmp_path):
    for name in ("b.rb", "a.rb", "sub/c.rb", "vendor/v.rb", "node_modules/n.rb", "tmp/t.rb",
                 "log/l.rb", ".git/g.rb", "notes.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    result = scan([str(tmp_path)])
    assert [f.display for f in result.files] == ["a.rb", "b.rb", "sub/c.rb"]


def test_a_file_argument_is_read_as_given(tmp_path):
    (tmp_path / "good.rb").write_text(GOOD)
    result = scan([str(tmp_path / "good.rb")])
    assert [f.display for f in result.files] == [str(tmp_path / "good.rb")]
