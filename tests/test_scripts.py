"""Workflows that begin outside every method: rake tasks and scripts, and the files the
scanner reads for them."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import only_workflow
from ruby_snippets import workers

from batch2flow.scanner import scan

BATCH = "b = Sidekiq::Batch.new\nb.jobs { A.perform_async }\n"


def test_a_rake_task_in_a_namespace_begins_a_workflow(ruby_tree) -> None:
    graph = ruby_tree({
        "lib/tasks/ops.rake": "namespace :ops do\n  namespace :search do\n    task reindex: :environment do\n"
                              + "".join(f"      {line}\n" for line in BATCH.splitlines())
                              + "    end\n  end\n  task(:noop) { puts 'hi' }\nend\n",
        "app/workers.rb": workers("A")})
    workflow = only_workflow(graph)
    assert (workflow.name, workflow.starter) == ("rake_ops_search_reindex", "rake ops:search:reindex")
    assert [job.worker for job in workflow.jobs] == ["A"]
    assert workflow.entry.file == "lib/tasks/ops.rake" and workflow.entry.line == 4


def test_a_rakefile_task_and_a_shebang_script_are_read(ruby_tree) -> None:
    graph = ruby_tree({"Rakefile": "task :kick do\n" + BATCH + "end\n",
                       "bin/kick": "#!/usr/bin/env ruby\n" + BATCH,
                       "app/workers.rb": workers("A")})
    assert sorted(w.starter for w in graph.workflows) == ["bin/kick", "rake kick"]


def test_top_level_code_that_only_loads_or_defines_is_no_workflow(ruby_tree) -> None:
    """A file of requires and classes has no script; a class method that builds a batch
    stays the starter of its workflow."""
    graph = ruby_tree({"app/flow.rb": "require 'json'\nclass Flow\n  def self.start\n"
                                      + "".join(f"    {line}\n" for line in BATCH.splitlines())
                                      + "  end\nend\n",
                       "app/workers.rb": workers("A")})
    assert only_workflow(graph).starter == "Flow.start"


def test_the_scanner_reads_ruby_scripts_and_nothing_else(tmp_path: Path) -> None:
    files = {"bin/ruby_script": "#!/usr/bin/env ruby\nputs 1\n", "bin/shell_script": "#!/bin/sh\necho 1\n",
             "lib/tasks/a.rake": "task :a\n", "Rakefile": "task :b\n", "notes.txt": "#!/usr/bin/env ruby\n",
             "app/a.rb": "A = 1\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    os.mkfifo(tmp_path / "bin" / "pipe")  # opened, it would block the scan forever
    found = sorted(source.display for source in scan([str(tmp_path)]).files)
    assert found == ["Rakefile", "app/a.rb", "bin/ruby_script", "lib/tasks/a.rake"]
