"""The prefilter leaves files out of parsing without changing what `graph` finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch2flow.graph import Settings, build_graph
from batch2flow.prefilter import select
from batch2flow.render.json_format import render_json
from batch2flow.scanner import SourceFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LINT_FIXTURES = Path(__file__).resolve().parent / "lint_fixtures"
TREES = sorted(p for p in FIXTURES.iterdir() if p.is_dir()) + sorted(
    p for p in LINT_FIXTURES.iterdir() if p.is_dir())

WORKER = """class ImportWorker
  include Sidekiq::Job
  def perform(id)
    Importer.run(id)
  end
end
"""
STARTER = """class ImportFlow
  def self.start(ids)
    batch = Sidekiq::Batch.new
    batch.on(:success, ImportDone)
    batch.jobs { ids.each { |id| ImportWorker.perform_async(id) } }
  end
end
"""


@pytest.mark.parametrize("tree", TREES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_graph_is_the_same_with_and_without_the_prefilter(tree: Path) -> None:
    unfiltered = build_graph([str(tree)], settings=Settings(prefilter=False))
    assert render_json(build_graph([str(tree)])) == render_json(unfiltered)


def kept(files: dict[str, str]) -> dict[str, tuple[bool, bool]]:
    sources = [SourceFile(name, text) for name, text in files.items()]
    chosen = select(sources)
    return {s.display: (p, r) for s, p, r in zip(sources, chosen.parse, chosen.read, strict=True)}


def test_a_plain_model_is_neither_parsed_nor_read() -> None:
    found = kept({"flow.rb": STARTER, "user.rb": "class User < ApplicationRecord\n  has_many :posts\nend\n"})
    assert found == {"flow.rb": (True, True), "user.rb": (False, False)}


def test_what_batch_code_names_is_parsed_for_its_definitions() -> None:
    found = kept({
        "flow.rb": STARTER,
        "done.rb": "class ImportDone\n  def on_ok(s, o)\n    Audit.log(o)\n  end\nend\n",
        # reached through ImportDone, which names it
        "audit.rb": "module Audit\n  def self.log(x)\n    STORE << x\n  end\nend\n",
        "other.rb": "class Other\nend\n",
    })
    assert found == {"flow.rb": (True, True), "done.rb": (True, False), "audit.rb": (True, False),
                     "other.rb": (False, False)}


def test_callers_and_subclasses_of_batch_code_are_parsed() -> None:
    found = kept({
        "flow.rb": STARTER,
        "imports_controller.rb": "class ImportsController\n  def create\n    ImportFlow.start(params[:ids])\n"
                                 "  end\nend\n",
        "base.rb": WORKER,
        "nightly.rb": "class NightlyImport < ImportWorker\nend\n",
        "rakelike.rb": "def run_all\n  ImportFlow.start([1])\nend\n",
        "script.rb": "run_all\n",
        "unrelated.rb": "class Unrelated\n  def run_all_day\n  end\nend\n",
    })
    assert {name for name, (parse, _read) in found.items() if parse} == {
        "flow.rb", "imports_controller.rb", "base.rb", "nightly.rb", "rakelike.rb", "script.rb"}


def test_a_namespace_alone_pulls_in_no_callers() -> None:
    found = kept({
        "flow.rb": "module Billing\n  class ImportFlow\n    def self.start\n      Sidekiq::Batch.new\n"
                   "    end\n  end\nend\n",
        "invoice.rb": "module Billing\n  class Invoice\n  end\nend\n",
        "report.rb": "class Report\n  def run\n    Billing::Invoice.all\n  end\nend\n",
    })
    # invoice.rb reopens `Billing`, which flow.rb names: its definitions may count; report.rb
    # only names `Billing` as a namespace
    assert found["report.rb"] == (False, False)


def test_a_skipped_file_still_gets_its_scan_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "flow.rb").write_text(STARTER + WORKER, encoding="utf-8")
    (tmp_path / "latin1.rb").write_bytes(b"class Caf\xe9\nend\n")
    (tmp_path / "empty.rb").write_text("\n", encoding="utf-8")
    codes = {(d.file, d.code) for d in build_graph([str(tmp_path)]).diagnostics}
    assert {("latin1.rb", "B2F002"), ("empty.rb", "B2F004")} <= codes


def test_a_file_that_cannot_matter_is_not_parsed_so_its_syntax_is_not_checked(tmp_path: Path) -> None:
    (tmp_path / "flow.rb").write_text(STARTER + WORKER, encoding="utf-8")
    (tmp_path / "broken_model.rb").write_text("class BrokenModel\n  def x(\n    1 +\n  end\n",
                                              encoding="utf-8")
    filtered = {d.file for d in build_graph([str(tmp_path)]).diagnostics}
    everything = Settings(prefilter=False)
    unfiltered = {d.file for d in build_graph([str(tmp_path)], settings=everything).diagnostics}
    assert "broken_model.rb" not in filtered and "broken_model.rb" in unfiltered
