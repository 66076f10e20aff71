"""MIGRATION.md: sections, counts, and Ruby text that cannot break the Markdown."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from conftest import FIXTURES
from ir_factory import (
    CALLBACK_FILE,
    STARTER_FILE,
    callback,
    cleanup_flow,
    graph,
    job,
    sample_graph,
    span,
    workflow,
)

from batch2flow import diagnostics as diag
from batch2flow.codegen.plan import ConditionStub, FlowPlan, TaskPlan
from batch2flow.deployment import BRIDGE_BLOCK, WORK_POOL
from batch2flow.ir import Graph, Start
from batch2flow.migration import code, coverage, fenced, render_migration

markdown_it = pytest.importorskip("markdown_it")


def task(function: str, worker: str, orchestration: bool = False) -> TaskPlan:
    return TaskPlan(function=function, worker=worker, params=("id",), args_list="[id]", tags=(),
                    retries=5, queue=None, orchestration=orchestration, source="", worker_expr=repr(worker))


def plan(name: str = "nightly_report", found: int = 8, converted: int = 7, **changes: object) -> FlowPlan:
    base = FlowPlan(
        workflow=name, function=name, params=("date",), description="", starter="NightlyReport#call",
        entry=f"{STARTER_FILE}:5", tasks=(task("billing_charge_worker", "Billing::ChargeWorker"),),
        body=(), stubs=(), diagnostics=(), found=found, converted=converted,
        task_names=(("j1", "Billing::ChargeWorker"),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def sample_plans() -> list[FlowPlan]:
    stub = ConditionStub("condition_j4", ("status",), "opts[:deep]", f"{STARTER_FILE}:11")
    problem = diag.make(diag.UNTRANSLATED_CONDITION, STARTER_FILE, 11, 5, "condition `opts[:deep]`")
    return [
        plan(stubs=(stub,), diagnostics=(problem,)),
        plan("cleanup_flow", 1, 1, starter="CleanupWorker#perform", entry="app/c.rb:2", tasks=(),
             task_names=()),
    ]


def section(text: str, title: str) -> str:
    """The text under a `## ` heading, up to the next one."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


def table_rows(text: str) -> list[list[str]]:
    """Each body row of the Markdown tables in `text`, as the inline text of its cells,
    parsed the way a GFM renderer does."""
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(text)
    rows: list[list[str]] = []
    inside_body = False
    for token in tokens:
        inside_body = {"tbody_open": True, "tbody_close": False}.get(token.type, inside_body)
        if inside_body and token.type == "tr_open":
            rows.append([])
        if inside_body and token.type == "inline":
            rows[-1].append("".join(c.content for c in token.children or []))
    return rows


def code_blocks(text: str) -> list[tuple[str, str]]:
    tokens = markdown_it.MarkdownIt("commonmark").parse(text)
    return [(t.info, t.content) for t in tokens if t.type == "fence"]


# --- summary and fixed sections -----------------------------------------------------------------


def test_title_and_summary_with_overall_coverage() -> None:
    text = render_migration(sample_graph(), sample_plans())
    assert text.startswith("# Migrating from Sidekiq Batches to Prefect\n\n")
    assert "turned 2 Sidekiq workflows into Prefect flows" in text
    assert "Overall, 8 of 9 jobs and callbacks (88.8%) converted without a stub" in text


def test_one_workflow_reads_in_the_singular() -> None:
    text = render_migration(graph(cleanup_flow()), [sample_plans()[1]])
    assert "turned 1 Sidekiq workflow into" in text
    assert "1 of 1 jobs and callbacks (100%)" in text


@pytest.mark.parametrize(("converted", "found", "expected"), [
    (7, 8, "7 of 8 jobs and callbacks (87.5%)"),
    (2, 3, "2 of 3 jobs and callbacks (66.6%)"),
    (999, 1000, "999 of 1000 jobs and callbacks (99.9%)"),  # never rounded up to 100%
    (0, 4, "0 of 4 jobs and callbacks (0%)"),
    (0, 0, "no jobs or callbacks to convert"),
])
def test_coverage(converted: int, found: int, expected: str) -> None:
    assert coverage(converted, found).startswith(expected)


def test_semantics_section_names_each_difference() -> None:
    semantics = section(render_migration(sample_graph(), sample_plans()), "Sidekiq semantics vs this flow")
    for phrase in ("allow_failure", "`:complete`", "`:death`", "`retries=0`", "backoff", "BridgeTimeout",
                   "idempotency key", "prefect flow-run retry",
                   "@run.callback", "only logs", "`perform_in`", "`perform_at`",
                   "run_deployment(..., timeout=0)"):
        assert phrase in semantics


def test_no_workflows() -> None:
    text = render_migration(graph(), [])
    assert "turned 0 Sidekiq workflows" in text
    assert "Overall, no jobs or callbacks to convert" in text
    assert "## Workflow" not in text


# --- per workflow --------------------------------------------------------------------------------


def test_each_workflow_has_its_section_in_order() -> None:
    text = render_migration(sample_graph(), sample_plans())
    assert re.findall(r"^## Workflow (.*)$", text, re.M) == ["`nightly_report`", "`cleanup_flow`"]
    nightly = section(text, "Workflow `nightly_report`")
    assert f"`NightlyReport#call` at `{STARTER_FILE}:5`" in nightly
    assert "`flows/nightly_report.py`" in nightly
    assert "Coverage: 7 of 8 jobs and callbacks (87.5%)" in nightly


def test_what_became_what() -> None:
    rows = table_rows(section(render_migration(sample_graph(), sample_plans()), "Workflow `nightly_report`"))
    assert rows[0] == ["job Billing::ChargeWorker", f"{STARTER_FILE}:7", "via perform_async",
                       "task billing_charge_worker"]
    bulk = ["job Exports::RowWorker", f"{STARTER_FILE}:10", "via perform_bulk; fan-out", "not converted"]
    assert bulk in rows
    assert ":success callback ReportCallbacks#on_success" in [r[0] for r in rows]
    death = next(r for r in rows if r[0].startswith(":death"))
    assert death == [":death callback ReportCallbacks#on_death", f"{STARTER_FILE}:12", "",
                     "block in the flow body"]
    start = rows[-1]
    assert start == ["starts workflow cleanup_flow", f"{CALLBACK_FILE}:4", "if status.failures.zero?",
                     "started with run_deployment(..., timeout=0)"]
    assert "if opts[:deep]" in rows[3][2]


def test_job_notes_show_loops_and_delays() -> None:
    from batch2flow.ir import Loop

    wf = workflow(jobs=(job("j1", "Billing::ChargeWorker", 7, fan_out=True, via="perform_in",
                            loop=Loop("each", "accounts", ("a",)), delay="5.minutes"),))
    (row,) = table_rows(render_migration(graph(wf), [plan()]))
    assert row[2] == "via perform_in; fan-out over accounts; delay 5.minutes"


def test_a_retired_worker_says_so() -> None:
    plans = [plan(tasks=(task("billing_charge_worker", "Billing::ChargeWorker", orchestration=True),))]
    rows = table_rows(render_migration(sample_graph(), plans))
    assert rows[0][3] == "retired task (its perform only orchestrated) billing_charge_worker"


def test_diagnostics_go_to_the_workflow_whose_files_they_are_in() -> None:
    cleanup_problem = diag.make(diag.UNKNOWN_WORKER, "app/c.rb", 3, 1, "PurgeWorker not found")
    elsewhere = diag.make(diag.NOT_UTF8, "lib/legacy.rb", 1, 1, "not UTF-8")
    g = replace(sample_graph(), diagnostics=(*sample_graph().diagnostics, cleanup_problem, elsewhere))
    text = render_migration(g, sample_plans())
    nightly = section(text, "Workflow `nightly_report`")
    cleanup = section(text, "Workflow `cleanup_flow`")
    untied = section(text, "Diagnostics not tied to a workflow")
    assert "B2F101" in nightly and "B2F106" in nightly  # starter file, callback file
    assert "B2F202" in nightly  # the plan's own
    assert "B2F104 [warning] PurgeWorker" in cleanup and "PurgeWorker" not in nightly
    assert "lib/legacy.rb:1:1: B2F002" in untied and "legacy" not in nightly + cleanup


def test_without_diagnostics_or_stubs_says_none() -> None:
    cleanup = section(render_migration(sample_graph(), sample_plans()), "Workflow `cleanup_flow`")
    assert "### Diagnostics\n\nNone.\n" in cleanup
    assert "### Conditions to port by hand\n\nNone.\n" in cleanup
    assert section(render_migration(graph(), []), "Diagnostics not tied to a workflow") == "\nNone.\n"


def test_stubs_show_their_ruby_in_a_ruby_block() -> None:
    text = render_migration(sample_graph(), sample_plans())
    nightly = section(text, "Workflow `nightly_report`")
    assert f"`condition_j4(status)`, for the Ruby at `{STARTER_FILE}:11`" in nightly
    assert ("ruby", "opts[:deep]\n") in code_blocks(nightly)


# --- Ruby text cannot break the document ---------------------------------------------------------

NASTY = "a | b `c` ``d``\nnext line | ```"


def test_pipes_backticks_and_newlines_stay_inside_their_cell() -> None:
    wf = workflow(
        jobs=(job("j1", NASTY, 7, placeholder=True, condition=NASTY),),
        callbacks=(callback("c1", "success", NASTY, 8, condition="x || y"),),
        starts=(Start("s1", "other", span(9, "odd|path`.rb"), None, None, False),),
    )
    text = render_migration(graph(wf), [plan(task_names=())])
    assert len([line for line in text.splitlines() if line.startswith("|")]) == 2 + 3
    rows = table_rows(text)
    assert [len(r) for r in rows] == [4, 4, 4]
    folded = NASTY.replace("\n", " ")
    assert rows[0][0] == f"job {folded}"
    assert rows[0][2] == f"via perform_async; if {folded}"
    assert rows[1] == [f":success callback {folded}", f"{STARTER_FILE}:8", "if x || y",
                       "block in the flow body"]
    assert rows[2][1] == "odd|path`.rb:9"


@pytest.mark.parametrize("ruby", ["x && `ls`", "```\nnot the end\n```", "````", "tail ``"])
def test_stub_ruby_cannot_close_its_fence(ruby: str) -> None:
    stub = ConditionStub("condition_c1", (), ruby, "app/x.rb:3")
    text = render_migration(graph(workflow()), [plan(stubs=(stub,))])
    assert ("ruby", ruby.rstrip("\n") + "\n") in code_blocks(text)
    assert "Coverage:" in section(text, "Workflow `nightly_report`")  # the document went on


@pytest.mark.parametrize("text", ["plain", "a`b", "``", "`edge`", "x\ny", "", "| pipe"])
def test_code_span_shows_the_text(text: str) -> None:
    (token,) = markdown_it.MarkdownIt("commonmark").parseInline(code(text))
    (child,) = token.children or []
    assert child.type == "code_inline"
    assert child.content.strip() == text.replace("\n", " ").strip()


def test_fence_is_longer_than_any_backtick_run() -> None:
    assert fenced("x", "ruby") == "```ruby\nx\n```"
    assert fenced("a ````` b\n").startswith("``````\n")


def test_diagnostic_text_with_backticks_stays_in_its_block() -> None:
    problem = diag.make(diag.DYNAMIC_REFERENCE, "lib/x.rb", 1, 1, "```\n# Heading?")
    text = render_migration(replace(graph(), diagnostics=(problem,)), [])
    (block,) = [b for b in code_blocks(text) if b[0] != "sh"]
    assert block[0] == "text" and "# Heading?" in block[1]


# --- deploying ------------------------------------------------------------------------------------


def test_deploying_lists_the_setup_then_the_deploy_for_the_pool_and_block_prefect_yaml_uses() -> None:
    text = render_migration(sample_graph(), sample_plans())
    deploying = text.split("\n## Deploying\n", 1)[1].split("\n## ", 1)[0]
    setup, deploy = [body.splitlines() for info, body in code_blocks(deploying) if info == "sh"]
    assert setup[0] == f"prefect work-pool create {WORK_POOL} --type process"
    assert setup[1].startswith("export BATCH2FLOW_BRIDGE_URL=https://")
    assert setup[2].startswith("python3 -c ") and f'save_from_environment("{BRIDGE_BLOCK}")' in setup[2]
    assert len(setup) == 3
    assert deploy == ["prefect deploy --all", f"prefect worker start --pool {WORK_POOL}"]
    # the setup comes before the semantics, and nothing else in the report is a command
    assert text.index("## Deploying") < text.index("## Sidekiq semantics")
    assert [info for info, _ in code_blocks(text)].count("sh") == 2


# --- determinism ---------------------------------------------------------------------------------


def test_rendering_does_not_depend_on_the_order_of_the_diagnostics() -> None:
    g = sample_graph()
    shuffled: Graph = replace(g, diagnostics=tuple(reversed(g.diagnostics)))
    first = render_migration(g, sample_plans())
    assert render_migration(shuffled, sample_plans()) == first
    assert first.endswith("\n") and not first.endswith("\n\n")


def test_callbacks_that_were_not_converted_say_so() -> None:
    rows = table_rows(section(render_migration(sample_graph(), sample_plans()), "Workflow `nightly_report`"))
    looped = [r for r in rows if r[0] == ":complete callback ReportCallbacks#retry_later"]
    assert looped and looped[0][3] == "not converted: a loop, the flow runs one round"


def test_migration_says_where_the_sidekiq_batch_gem_differs() -> None:
    from batch2flow.convert import convert

    text = convert([str(FIXTURES / "seed_pipeline")]).files["MIGRATION.md"]
    assert "`sidekiq-batch` gem" in text
    assert "no `:death` event" in text and "B2F319" in text
