"""`render_text`: the indented tree a person reads in the terminal."""

from __future__ import annotations

import pytest
from ir_factory import callback, graph, job, nightly_report, sample_graph, span, workflow

from batch2flow import diagnostics as diag
from batch2flow.ir import Batch, Edge, Graph, Job
from batch2flow.render.text import render_text


def _lines(g: Graph) -> list[str]:
    return render_text(g).splitlines()


def _line(lines: list[str], start: str) -> tuple[int, str]:
    """Index and text of the one line that starts (after indentation) with `start`."""
    found = [(i, line) for i, line in enumerate(lines) if line.strip().startswith(start)]
    assert len(found) == 1, (start, found)
    return found[0]


def _depth(line: str) -> int:
    return (len(line) - len(line.lstrip())) // 2


def _under(lines: list[str], parent: str) -> list[str]:
    """The stripped lines indented below the line starting with `parent`."""
    i, head = _line(lines, parent)
    block = []
    for line in lines[i + 1:]:
        if not line.strip() or _depth(line) <= _depth(head):
            break
        block.append(line.strip())
    return block


def _batch_graph(*jobs: Job, problems: tuple[diag.Diagnostic, ...] = (),
                 **changes: object) -> Graph:
    """One workflow with a batch b1 holding `jobs`; `changes` replace workflow fields."""
    fields: dict[str, object] = {"batches": (Batch("b1", span(1), None, None, None),), **changes}
    return graph(workflow(jobs=jobs, **fields), diagnostics=problems)


def test_header_names_workflow_starter_and_entry() -> None:
    lines = _lines(sample_graph())
    assert lines[0] == "workflow nightly_report  (NightlyReport#call, " \
        "app/services/nightly_report.rb:5)"
    _line(lines, "workflow cleanup_flow  (CleanupWorker#perform, app/c.rb:2)")


def test_every_job_and_callback_is_listed() -> None:
    text = render_text(sample_graph())
    for wf in sample_graph().workflows:
        for j in wf.jobs:
            assert f"job {j.id} {j.worker}" in text
        for cb in wf.callbacks:
            assert f"on {cb.event} -> {cb.target}" in text


def test_batches_nest_with_their_jobs_and_callbacks() -> None:
    lines = _lines(graph(nightly_report()))
    assert _line(lines, 'batch b1 "Nightly report"')[1].endswith(
        "[callback queue critical]  app/services/nightly_report.rb:5")
    assert _under(lines, "batch b2") == [
        "job j3 Exports::RowWorker  [fan-out]  app/services/nightly_report.rb:10",
        "job j4 worker_class.constantize  [placeholder] [if opts[:deep]]  "
        "app/services/nightly_report.rb:11",
        "on death -> ReportCallbacks#on_death  app/services/nightly_report.rb:12",
    ]
    b1 = _under(lines, "batch b1")
    assert b1[0].startswith("job j1 ") and b1[1].startswith("job j2 ")
    assert b1[2].startswith("batch b2")
    # the parent's callbacks come after the child batch they wait for
    assert b1.index("on death -> ReportCallbacks#on_death  app/services/nightly_report.rb:12") \
        < next(i for i, line in enumerate(b1) if line.startswith("on success"))


def test_callback_lists_what_it_leads_to() -> None:
    lines = _lines(graph(nightly_report()))
    assert _under(lines, "on success -> ReportCallbacks#on_success") == [
        "then job j5 NotifyWorker  app/workers/report_callbacks.rb:3",
        "then start workflow cleanup_flow  [if status.failures.zero?]  "
        "app/workers/report_callbacks.rb:4",
    ]
    assert _under(lines, "on complete -> ") == ["then again  [loop] [if attempts < 3]"]


def test_callback_points_at_a_job_shown_in_its_batch() -> None:
    g = _batch_graph(job("j1", "A", 2), job("j2", "B", 3, batch="b2"),
                     batches=(Batch("b1", span(1), None, None, None),
                              Batch("b2", span(4), None, None, None)),
                     callbacks=(callback("c1", "success", "K#m", 5),),
                     edges=(Edge("j1", "c1", "success"), Edge("c1", "j2", "success")))
    lines = _lines(g)
    assert _under(lines, "on success -> K#m") == ["then job j2 B  app/services/nightly_report.rb:3"]
    assert _under(lines, "batch b2") == ["job j2 B  app/services/nightly_report.rb:3"]


def test_job_lists_what_its_code_enqueues_outside_any_batch() -> None:
    g = _batch_graph(job("j1", "A", 2), job("j2", "B", 3, batch=None, spawned_by="j1"))
    assert _under(_lines(g), "job j1 A") == ["spawns job j2 B  app/services/nightly_report.rb:3"]


@pytest.mark.parametrize(("changes", "tags"), [
    pytest.param({}, "", id="noop_plain_job"),
    pytest.param({"fan_out": True}, "  [fan-out]", id="fan_out"),
    pytest.param({"condition": "user.admin?\n  && flag"}, "  [if user.admin? && flag]",
                 id="condition_on_one_line"),
    pytest.param({"placeholder": True}, "  [placeholder]", id="placeholder"),
])
def test_job_tags(changes: dict[str, object], tags: str) -> None:
    lines = _lines(_batch_graph(job("j1", "A::W", 2, **changes)))
    assert _line(lines, "job j1")[1].strip() == f"job j1 A::W{tags}  app/services/nightly_report.rb:2"


def test_nodes_without_a_home_are_still_listed() -> None:
    g = graph(workflow(
        batches=(Batch("b1", span(1), "b2", None, None), Batch("b2", span(2), "b1", None, None)),
        jobs=(job("j1", "Lonely", 3, batch=None),),
        callbacks=(callback("c1", "success", "K#m", 4, batch="nope"),),
    ))
    text = render_text(g)
    for expected in ("batch b1", "batch b2", "job j1 Lonely", "on success -> K#m"):
        assert text.count(expected) == 1, expected


@pytest.mark.parametrize(("problems", "summary"), [
    pytest.param((), "1 workflow, 1 job, 0 errors, 0 warnings", id="noop_no_diagnostics"),
    pytest.param(
        (diag.make(diag.UNKNOWN_EVENT, "a.rb", 1, 2, "bad"),
         diag.make(diag.UNKNOWN_WORKER, "a.rb", 3, 4, "who"),
         diag.make(diag.CYCLE, "a.rb", 5, 6, "again")),
        "1 workflow, 1 job, 1 error, 1 warning", id="one_of_each"),
])
def test_summary_counts_and_the_diagnostics_stay_out_of_the_tree(
        problems: tuple[diag.Diagnostic, ...], summary: str) -> None:
    g = _batch_graph(job("j1", "A", 2), problems=problems)
    text = render_text(g)
    assert text.splitlines()[-1] == summary
    # the CLI prints them on stderr, with their source lines: stdout holds the tree only
    assert "a.rb:" not in text and "B2F" not in text


def test_sample_summary() -> None:
    lines = _lines(sample_graph())
    assert lines[-1] == "2 workflows, 6 jobs, 1 error, 2 warnings"


def test_no_workflow_is_the_summary_alone() -> None:
    problem = diag.make(diag.UNKNOWN_EVENT, "a.rb", 1, 2, "unknown :sucess", help="use :success")
    assert _lines(graph(diagnostics=(problem,))) == ["0 workflows, 0 jobs, 1 error, 0 warnings"]


@pytest.mark.parametrize(("ruby", "shown"), [
    pytest.param("Evil\x1b[2JWorker", "Evil\\x1b[2JWorker", id="csi_clears_the_screen"),
    pytest.param("A\x1b]8;;http://x\x07B", "A\\x1b]8;;http://x\\x07B", id="osc_hyperlink"),
    pytest.param("A\x9b31mB", "A\\x9b31mB", id="c1_csi"),
    pytest.param("A\u202eB", "A\\u202eB", id="bidi_override"),
    pytest.param("Plain::Worker", "Plain::Worker", id="noop_plain"),
])
def test_escape_sequences_from_the_ruby_are_shown_not_run(ruby: str, shown: str) -> None:
    g = graph(workflow(
        batches=(Batch("b1", span(1), None, ruby, None),),
        jobs=(job("j1", ruby, 2, placeholder=True, condition=f"x == '{ruby}'"),),
        callbacks=(callback("c1", "success", ruby + "#done", 3),),
        edges=(Edge("j1", "c1", "success"),),
    ))
    text = render_text(g)
    assert not {"\x1b", "\x07", "\x9b", "\u202e"} & set(text)
    assert f"job j1 {shown}" in text and f"[if x == '{shown}']" in text
    assert f'batch b1 "{shown}"' in text and f"on success -> {shown}#done" in text
