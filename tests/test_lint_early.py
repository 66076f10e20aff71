"""The rules that need no graph run in a forked child while the graph is built (check.py,
forked.py): the findings are the same as when every rule runs in order, here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from goldens import fixture_dirs

from batch2flow import pipeline
from batch2flow.forked import Forked
from batch2flow.graph import Settings, graph_and_findings
from batch2flow.lint.check import _NoGraphYet
from batch2flow.lint.registry import all_rules

LINT_FIXTURES = sorted(p for p in (Path(__file__).parent / "lint_fixtures").iterdir() if p.is_dir())
TREES = [*fixture_dirs(), *LINT_FIXTURES]


@pytest.mark.parametrize("tree", TREES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_findings_are_the_same_with_the_graph_free_rules_run_early_in_a_child(tree, monkeypatch):
    in_order = graph_and_findings([str(tree)], settings=Settings(jobs=1))
    monkeypatch.setattr(pipeline, "FORK_FROM_FILES", 0)  # fork even for a small tree
    started: list[Forked[object]] = []
    original = pipeline.start_graph_free
    monkeypatch.setattr(pipeline, "start_graph_free", lambda *a: started.append(original(*a)) or started[-1])
    early = graph_and_findings([str(tree)], settings=Settings(jobs=2))
    assert len(started) == 1  # the child did run
    assert early == in_order
    assert not [f for f in early[1] if f.diagnostic.code == "B2F009"]  # no rule failed


def test_the_split_leaves_work_on_both_sides():
    rules = all_rules().values()
    assert any(rule.reads_graph for rule in rules)
    assert any(not rule.reads_graph for rule in rules)


def test_a_rule_that_reads_the_graph_before_it_exists_says_how_to_mend_it():
    with pytest.raises(RuntimeError, match=r"graph\.workflows.*reads_graph=True"):
        _ = _NoGraphYet().workflows


def test_the_work_runs_in_another_process_and_its_result_comes_back():
    assert Forked(os.getpid).result() != os.getpid()
    assert Forked(lambda: {"a": [1, 2]}).result() == {"a": [1, 2]}


def test_a_child_that_fails_is_replaced_by_the_work_done_here():
    parent = os.getpid()

    def fails_elsewhere() -> int:
        if os.getpid() != parent:
            raise MemoryError
        return 7

    assert Forked(fails_elsewhere).result() == 7


def test_a_result_that_does_not_pickle_is_computed_here():
    parent = os.getpid()
    result = Forked(lambda: (lambda: os.getpid())).result()  # a lambda cannot be pickled
    assert result() == parent


def test_a_cancelled_child_is_reaped():
    waiting = Forked(lambda: __import__("time").sleep(30))
    pid = waiting._pid
    waiting.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
