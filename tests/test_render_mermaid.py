"""`render_mermaid`: one flowchart per workflow, safe ids, escaped labels, styled edges."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ir_factory import callback, graph, job, nightly_report, sample_graph, span, workflow

from batch2flow.ir import Batch, Edge, Graph, Start
from batch2flow.render.mermaid import render_mermaid, workflow_chart
from batch2flow.render.mermaid_labels import escape
from batch2flow.terminal import visible

#: characters that must never appear raw inside a label (the escapes a terminal would run too)
UNSAFE = set('"<>|[]{}`;\n\x1b\x07\x9b\u202e')
NODE_DEF = re.compile(r'^\s*(\w+)(\["|\[/"|\{\{"|\[\[")(.*)("\]|"/\]|"\}\}|"\]\])$')
EDGE = re.compile(r'^\s*(\w+) (-->|-\.->|==>)\|"(.*)"\| (\w+)$')


def _decode(label: str) -> str:
    """What Mermaid shows: `#name;` / `#123;` entities decoded, as its renderer does."""
    return html.unescape(re.sub(r"#(\d+);", r"&#\1;", re.sub(r"#([a-z]+);", r"&\1;", label)))


def _labels(text: str) -> list[str]:
    """Every quoted label of the diagram (node, subgraph and edge)."""
    return [m.group(1) for line in text.splitlines() for m in re.finditer(r'"([^"]*)"', line)]


def _nodes(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for line in text.splitlines() if (m := NODE_DEF.match(line))}


def _edges(text: str) -> list[tuple[str, str, str, str]]:
    return [m.groups() for line in text.splitlines() if (m := EDGE.match(line))]  # type: ignore[misc]


def _one(**changes: object) -> Graph:
    base = {"batches": (Batch("b1", span(1), None, None, None),),
            "jobs": (job("j1", "A", 2), job("j2", "B", 3))}
    return graph(workflow(**{**base, **changes}))


def test_one_fenced_flowchart_per_workflow_under_its_name() -> None:
    text = render_mermaid(sample_graph())
    assert text.splitlines().count("flowchart TD") == 2
    assert text.count("```mermaid\nflowchart TD\n") == 2
    first = text.index("### nightly_report\n")
    second = text.index("### cleanup_flow\n")
    assert first < text.index("```mermaid") < second
    # every fence is closed, so GitHub renders each block as its own diagram
    assert text.count("```") == 4


def test_a_single_workflow_is_one_block() -> None:
    text = render_mermaid(graph(nightly_report()))
    assert text.startswith("### nightly_report\n")
    assert text.count("```mermaid") == 1 and text.endswith("```\n")


def test_chart_of_one_workflow_is_bare_mermaid() -> None:
    chart = workflow_chart(nightly_report())
    assert chart.startswith("flowchart TD\n") and "```" not in chart


def test_empty_graph_says_so() -> None:
    assert render_mermaid(graph()) == "No Sidekiq Batch workflows found.\n"


def test_every_job_callback_and_start_is_a_node() -> None:
    nodes = _nodes(render_mermaid(sample_graph()))
    wf = nightly_report()
    for ident in [j.id for j in wf.jobs] + [c.id for c in wf.callbacks] + ["s1"]:
        assert f"nightly_report_{ident}" in nodes
    assert "cleanup_flow_j1" in nodes  # same local id j1, a different node


def test_shapes_per_kind() -> None:
    nodes = _nodes(render_mermaid(sample_graph()))
    assert nodes["nightly_report_j1"] == '["'
    assert nodes["nightly_report_j3"] == '[/"'  # fan-out: the parallelogram
    assert nodes["nightly_report_c1"] == '{{"'
    assert nodes["nightly_report_s1"] == '[["'


@pytest.mark.parametrize(("placeholder", "label_start"), [
    pytest.param(False, '["Worker<br/>', id="noop_known_worker_short_name"),
    pytest.param(True, '["? Jobs::Worker<br/>', id="placeholder_marked"),
])
def test_placeholder_marker(placeholder: bool, label_start: str) -> None:
    text = render_mermaid(_one(jobs=(job("j1", "Jobs::Worker", 2, placeholder=placeholder),)))
    assert f"nightly_report_j1{label_start}" in text


def _block(lines: list[str], opener: str) -> list[str]:
    """The lines of the subgraph opened by `opener`, up to its own `end`."""
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(opener))
    depth = 0
    for i in range(start, len(lines)):
        depth += lines[i].strip().startswith("subgraph ") - (lines[i].strip() == "end")
        if depth == 0:
            return lines[start:i + 1]
    raise AssertionError("subgraph not closed")


def test_child_batch_is_nested_inside_its_parent() -> None:
    lines = render_mermaid(graph(nightly_report())).splitlines()
    outer = _block(lines, "subgraph nightly_report_b1 ")
    inner = _block(lines, "subgraph nightly_report_b2 ")
    assert "\n".join(inner) in "\n".join(outer)
    assert any("nightly_report_j3[" in line for line in inner)
    assert not any("nightly_report_j1[" in line for line in inner)
    assert not any("nightly_report_j5[" in line for line in outer)  # in no batch
    assert outer[0].strip() == 'subgraph nightly_report_b1 ["Nightly report ' \
        '(app/services/nightly_report.rb:5)"]'
    assert inner[0].strip().endswith('["batch b2 (app/services/nightly_report.rb:9)"]')


def test_every_edge_once_with_a_style_per_event() -> None:
    edges = _edges(render_mermaid(graph(nightly_report())))
    assert len(edges) == len(nightly_report().edges)
    arrows = {label.split()[0]: arrow for _, arrow, label, _ in edges if "loop" not in label}
    assert arrows == {"success": "-->", "complete": "-.->", "death": "==>"}
    assert ("nightly_report_c3", "-.->", "loop: complete if attempts #lt; 3",
            "nightly_report_c3") in edges


@pytest.mark.parametrize(("condition", "label"), [
    pytest.param(None, "success", id="noop_no_condition_no_label"),
    pytest.param("status.failures == 0", "success if status.failures == 0", id="condition"),
])
def test_conditional_edge_label(condition: str | None, label: str) -> None:
    edges = _edges(render_mermaid(_one(edges=(Edge("j1", "j2", "success", condition),))))
    assert edges == [("nightly_report_j1", "-->", label, "nightly_report_j2")]


NASTY = [
    pytest.param('say "hi"', id="quotes"),
    pytest.param("a | b || c", id="pipes"),
    pytest.param("x[0] {y} <b>", id="brackets"),
    pytest.param("first\nsecond\r\nthird", id="newlines"),
    pytest.param("`code`; a#b; #quot; &amp;", id="backticks_entities"),
    pytest.param("Ünïcode ⇶ 日本", id="unicode"),
    pytest.param("opts[:style] == :bold && x[:y]", id="style_keyword"),
    pytest.param("Evil\x1b[2J\x1b]8;;http://x\x07\x9b1m\u202e", id="terminal_escapes"),
]


@pytest.mark.parametrize("nasty", NASTY)
def test_labels_are_escaped_and_read_back(nasty: str) -> None:
    g = graph(workflow(
        batches=(Batch("b1", span(1), None, nasty, None),),
        jobs=(job("j1", nasty, 2, placeholder=True, condition=nasty),),
        callbacks=(callback("c1", "success", nasty, 3, condition=nasty),),
        starts=(Start("s1", nasty, span(4), "c1", nasty, False),),
        edges=(Edge("j1", "c1", "success", nasty), Edge("c1", "s1", "death", nasty)),
    ))
    text = render_mermaid(g)
    flat = " ".join(nasty.split())
    for line in text.splitlines():
        assert line.count('"') in (0, 2), line  # one label per line, its quotes the only ones
    for label in _labels(text):
        raw = re.sub(r"#\w+;", "", label.replace("<br/>", ""))
        assert not UNSAFE & set(raw), label
        assert visible(flat) in _decode(label), label
    assert len(_edges(text)) == 2


@settings(database=None)  # no .hypothesis folder left in the work tree
@given(st.text())
def test_escape_leaves_nothing_unsafe_and_decodes_back(text: str) -> None:
    out = escape(text)
    assert not UNSAFE & set(re.sub(r"#\w+;", "", out))
    # a control character is shown as its escape, in a browser as in a terminal
    assert _decode(out) == visible(" ".join(text.split()))


@pytest.mark.parametrize(("name", "node"), [
    pytest.param("nightly_report", "nightly_report_j_1", id="noop_plain_name"),
    pytest.param("end", "w_end_j_1", id="keyword_prefixed"),
    pytest.param("2fa-flow", "w_2fa_flow_j_1", id="digit_and_dash"),
])
def test_node_ids_are_safe(name: str, node: str) -> None:
    text = render_mermaid(graph(workflow(name, jobs=(job("j-1", "A", 2, batch=None),))))
    assert list(_nodes(text)) == [node]


