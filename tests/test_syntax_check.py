"""A syntax error is an error only where Ruby agrees; one failing lint rule costs the tree
only its own findings."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from conftest import only_workflow
from ruby_services import require_tools
from ruby_snippets import workers

from batch2flow.lint import registry

#: valid Ruby that tree-sitter-ruby does not read (the last-match-after symbol)
PARSER_GAP = "class Matcher\n  def after\n    :$'\n  end\nend\n"
FLOW = ("class Flow\n  def self.start\n    b = Sidekiq::Batch.new\n    b.jobs { A.perform_async }\n"
        "  end\nend\n")


def codes(graph) -> list[tuple[str, str, int]]:
    return sorted((d.code, d.file, d.line) for d in graph.diagnostics)


def test_valid_ruby_the_parser_cannot_read_is_a_warning_and_the_rest_is_read(ruby_tree) -> None:
    require_tools()
    graph = ruby_tree({"app/matcher.rb": PARSER_GAP + FLOW, "app/workers.rb": workers("A")})
    assert codes(graph) == [("B2F011", "app/matcher.rb", 3)]
    assert "Ruby accepts the file" in graph.diagnostics[0].message
    assert [job.worker for job in only_workflow(graph).jobs] == ["A"]


#: broken, and a job class: a file the graph reads (one that cannot matter is not parsed)
BROKEN = "class Broken\n  include Sidekiq::Job\n  def x(\n    1 +\n  end\n"


def test_a_syntax_error_ruby_confirms_is_an_error(ruby_tree) -> None:
    require_tools()
    graph = ruby_tree({"app/broken.rb": BROKEN, "app/flow.rb": FLOW,
                       "app/workers.rb": workers("A")})
    assert {code for code, file, _ in codes(graph) if file == "app/broken.rb"} == {"B2F010"}


def test_without_ruby_the_parser_alone_says_warning(ruby_tree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    graph = ruby_tree({"app/broken.rb": BROKEN})
    found = [d for d in graph.diagnostics if d.file == "app/broken.rb"]
    assert found and {d.code for d in found} == {"B2F011"}
    assert all("no `ruby` on PATH" in d.message for d in found)


@pytest.fixture
def broken_rule(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    rules = registry.all_rules()

    def explode(_context: object) -> Iterator[object]:
        raise KeyError("boom")
        yield

    monkeypatch.setitem(registry._RULES, "B2F325", dataclasses.replace(rules["B2F325"], check=explode))
    monkeypatch.delenv("BATCH2FLOW_DEBUG", raising=False)
    yield "B2F325"


def test_a_rule_that_fails_is_reported_and_the_others_still_run(ruby_tree, broken_rule: str) -> None:
    graph = ruby_tree({"app/flow.rb": FLOW.replace("b.jobs { A.perform_async }",
                                                   "b.jobs { A.perform_async(:sym) }"),
                       "app/workers.rb": workers("A")})
    found = {d.code: d for d in graph.diagnostics}
    assert f"lint rule {broken_rule} failed" in found["B2F009"].message
    assert "B2F312" in found  # the symbol argument, from a rule that works
    assert [job.worker for job in only_workflow(graph).jobs] == ["A"]


def test_a_shorthand_keyword_argument_is_a_keyword(ruby_tree) -> None:
    """`perform_async(id:)` (Ruby 3.1: the value is the local `id`) once crashed lint."""
    graph = ruby_tree({"app/flow.rb": FLOW.replace("b.jobs { A.perform_async }",
                                                   "id = 1\n    b.jobs { A.perform_async(id:) }"),
                       "app/workers.rb": workers("A")})
    assert [d.code for d in graph.diagnostics] == ["B2F312"]
