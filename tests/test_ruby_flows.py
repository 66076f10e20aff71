"""`convert --tasks ruby`: flows that run every Ruby method in Ruby and submit what it
planned. Checked on every fixture: they compile, pass `ruff check` and `ruff format
--check` with ruff's defaults, translate no Ruby (no marker, no orchestration_step), claim
every call site of the graph, and come out byte-identical from one run to the next.
(They run against real Sidekiq in tests/test_plan_run_sidekiq.py.)
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from batch2flow.convert import convert

FIXTURES = sorted(p for p in (Path(__file__).parent.parent / "fixtures").iterdir()
                  if p.is_dir() and p.name != "bad_input")
TRANSLATIONS = ("orchestration_step", "ruby_value", "ruby_items", "ruby_condition", "UntranslatedRuby")


@pytest.fixture(scope="module", params=FIXTURES, ids=lambda p: p.name)
def converted(request: pytest.FixtureRequest) -> tuple[Path, dict[str, str]]:
    fixture: Path = request.param
    return fixture, convert([str(fixture)], tasks="ruby").files


def flows(files: dict[str, str]) -> dict[str, str]:
    return {path: text for path, text in files.items() if path.startswith("flows/")}


def claimed_sites(text: str) -> set[tuple[str, ...]]:
    """(method, literal arguments...) of every `plan.jobs(...)`, `plan.jobs_at(...)` and
    `plan.callbacks_at(...)` call in the flow."""
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "plan":
            found.add((node.func.attr, *(str(ast.literal_eval(arg)) for arg in node.args)))
    return found


def test_no_ruby_is_translated_and_every_graph_site_is_claimed(
        converted: tuple[Path, dict[str, str]]) -> None:
    fixture, files = converted
    graph = convert([str(fixture)], tasks="ruby").graph
    for workflow in graph.workflows:
        text = files[f"flows/{workflow.name}.py"]
        assert not [word for word in TRANSLATIONS if word in text]
        sites = claimed_sites(text)
        for job in workflow.jobs:
            where = (job.span.file, str(job.span.line))
            assert ("jobs_at", *where) in sites if job.placeholder else ("jobs", job.worker, *where) in sites
        for callback in workflow.callbacks:
            assert ("callbacks_at", callback.span.file, str(callback.span.line)) in sites


def test_the_same_tree_gives_the_same_bytes(converted: tuple[Path, dict[str, str]]) -> None:
    fixture, files = converted
    assert convert([str(fixture)], tasks="ruby").files == files


def test_ruff_finds_nothing_to_say_or_to_reformat(converted: tuple[Path, dict[str, str]],
                                                  tmp_path: Path) -> None:
    ruff = shutil.which("ruff")
    assert ruff is not None, "ruff is a test dependency (pyproject.toml [test])"
    for path, text in flows(converted[1]).items():
        (tmp_path / Path(path).name).write_text(text, encoding="utf-8")
    for command in (["check", "--isolated", "."], ["format", "--isolated", "--check", "."]):
        done = subprocess.run([ruff, *command], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_what_a_ruby_flow_cannot_do_yet_is_a_counted_diagnostic() -> None:
    fixtures = Path(__file__).parent.parent / "fixtures"
    starters = convert([str(fixtures / "starters")], tasks="ruby").diagnostics
    not_callable = sorted(d.file for d in starters if d.code == "B2F209")
    # a controller action, an object built with an argument (`ProcessPayouts.new(date).call`),
    # and a script's method
    assert not_callable == ["app/controllers/admin/exports_controller.rb",
                            "app/services/payouts/process_payouts.rb",
                            "lib/maintenance/reindex_catalog.rb"]
    # retry_on in the class (CaptionJob) or inherited from ApplicationJob (PublishJob); ModerationJob
    # derives from ActiveJob::Base with discard_on only
    definitions = convert([str(fixtures / "worker_definitions")], tasks="ruby").diagnostics
    retried = sorted(d.message.split(" ", 1)[0] for d in definitions if d.code == "B2F211")
    assert retried == ["Media::CaptionJob", "Media::PublishJob"]
    cycles = convert([str(fixtures / "cycles")], tasks="ruby").diagnostics
    # nothing of the translating planner is reported where no Ruby is translated
    assert not [d for d in starters + cycles if d.code.startswith("B2F2") and d.code != "B2F209"]


def handlers(text: str) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in ast.parse(text).body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("after_")}


def handed_to(handler: ast.FunctionDef) -> list[tuple[int, str]]:
    """(line of the claimed site, handler named) for each `for row in plan.X(..., line):`
    loop that passes a handler on, and each started workflow's handler called directly."""
    found = []
    for statement in handler.body:
        if isinstance(statement, ast.For):
            site = statement.iter
            assert isinstance(site, ast.Call)
            line = ast.literal_eval(site.args[-1])
            (call,) = [s.value for s in statement.body if isinstance(s, ast.Expr)]
            assert isinstance(call, ast.Call)
            found += [(line, arg.id) for arg in call.args[2:] if isinstance(arg, ast.Name)]
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            function = statement.value.func
            assert isinstance(function, ast.Name)
            found.append((statement.lineno, function.id))
    return found


def test_a_workflow_the_ruby_starts_is_followed_in_the_same_flow() -> None:
    fixture = Path(__file__).parent.parent / "fixtures" / "cross_file_callbacks"
    conversion = convert([str(fixture)], tasks="ruby")
    by_name = {w.name: w for w in conversion.graph.workflows}
    closing = by_name["billing_monthly_close"]
    text = conversion.files["flows/billing_monthly_close.py"]
    sites = claimed_sites(text)
    started_names = {start.workflow for start in closing.starts}
    assert started_names == {"reports_revenue_flow", "analytics_rebuild_cohorts"}
    for start in closing.starts:
        # every job and callback of the started workflow is claimed in the flow of the one that starts it
        started = by_name[start.workflow]
        for job in started.jobs:
            assert ("jobs", job.worker, job.span.file, str(job.span.line)) in sites
        for callback in started.callbacks:
            assert ("callbacks_at", callback.span.file, str(callback.span.line)) in sites
    # a class-method starter ran inside the callback: its handler is called with the callback's plan;
    # a worker starter was enqueued by it: the job is submitted, and its perform's plan goes on there
    named = {name for handler in handlers(text).values() for _, name in handed_to(handler)}
    assert {"after_start_reports_revenue_flow", "after_rebuild_cohorts_worker"} <= named
    enqueue = ("jobs", "Analytics::RebuildCohortsWorker", "app/callbacks/billing/archive_callback.rb", "10")
    assert enqueue in sites


def test_a_callback_that_registers_itself_again_goes_on_in_the_same_handler() -> None:
    """A paging loop: `page_done` registers `page_done` for the next page. The graph follows
    one round; the flow hands the next round's plan to the same handler, so each round's
    pages are claimed where the Ruby enqueues them, for as many rounds as Ruby makes."""
    fixture = Path(__file__).parent.parent / "fixtures" / "cycles"
    text = convert([str(fixture)], tasks="ruby").files["flows/crm_contacts_import.py"]
    page_done = handlers(text)["after_page_done"]
    assert (30, "after_page_done") in handed_to(page_done)


def test_names_from_the_ruby_take_no_name_the_module_or_a_handler_uses(tmp_path: Path) -> None:
    (tmp_path / "app.rb").write_text(
        "class Plan\n  include Sidekiq::Job\n  def perform(run); end\nend\n"
        "class Job\n  include Sidekiq::Job\n  def perform; end\nend\n"
        "class Callback\n  include Sidekiq::Job\n  def perform; end\nend\n"
        "class Starter\n  def self.start(run, plan, job)\n    b = Sidekiq::Batch.new\n"
        "    b.on(:success, 'Starter#done')\n    b.jobs do\n      Plan.perform_async(run)\n"
        "      Job.perform_async\n      Callback.perform_async\n    end\n  end\n\n"
        "  def done(status, options)\n    Job.perform_async\n  end\nend\n", encoding="utf-8")
    text = convert([str(tmp_path)], tasks="ruby").files["flows/starter.py"]
    module = ast.parse(text)
    tasks = {target.id for node in module.body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)}
    assert len(tasks) == 3 and not tasks & {"plan", "job", "callback", "run"}
    for handler in handlers(text).values():
        for node in ast.walk(handler):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "run.submit":
                assert isinstance(node.args[0], ast.Name) and node.args[0].id in tasks
    (flow,) = [node for node in module.body if isinstance(node, ast.FunctionDef) and node.name == "starter"]
    assert [a.arg for a in flow.args.args] == ["run_", "plan", "job"]
    assert "run.start(ruby_starter, \"Starter.start\", [run_, plan, job], after_start)" in text


def test_the_starters_arguments_reach_ruby_as_it_takes_them(tmp_path: Path) -> None:
    """Positional ones in a list (a splat spread into it), keyword ones by name (a double
    splat spread into them); literal defaults kept, typed, written as `ruff format` writes them."""
    (tmp_path / "app.rb").write_text(
        "class W\n  include Sidekiq::Job\n  def perform(a); end\nend\n"
        "class Starter\n  def self.start(id, *rest, mode:, label: 'say \"hi\" {{ $X }} #{no}', limit: 100)\n"
        "    b = Sidekiq::Batch.new\n    b.jobs { W.perform_async(id) }\n  end\nend\n", encoding="utf-8")
    text = convert([str(tmp_path)], tasks="ruby").files["flows/starter.py"]
    (tmp_path / "starter.py").write_text(text, encoding="utf-8")
    ruff = shutil.which("ruff")
    assert ruff is not None
    for command in (["check", "--isolated", "starter.py"], ["format", "--isolated", "--check", "starter.py"]):
        done = subprocess.run([ruff, *command], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr + text
    module = ast.parse(text).body
    (flow,) = [node for node in module if isinstance(node, ast.FunctionDef) and node.name == "starter"]
    assert ast.unparse(flow.args) == "id, rest, mode, label: str='say \"hi\" {{ $X }} #{no}', limit: int=100"
    (start,) = [node for node in ast.walk(flow)
                if isinstance(node, ast.Call) and ast.unparse(node.func) == "run.start"]
    assert ast.unparse(start.args[2]) == "[id, *rest]"
    assert [ast.unparse(k) for k in start.keywords] == [
        "kwargs={'mode': mode, 'label': label, 'limit': limit}"]


def test_every_string_literal_is_the_text_and_as_ruff_format_writes_it(tmp_path: Path) -> None:
    import random

    from batch2flow.codegen.ruby_flow import literal

    pieces = ['"', "'", "\\", "\n", "\r", "\t", "\x00", "\u2028", "é", "💥", "{{ $X }}", "#{no}", " ", "a"]
    rng = random.Random(7)
    drawn = ("".join(rng.choices(pieces, k=rng.randint(1, 8))) for _ in range(400))
    texts = ["", '"', "'", '""\'', "\\\"", "\ud800", "\x7f\x85", *drawn]
    source = "".join(f"x{i} = {literal(text)}\n" for i, text in enumerate(texts))
    assert [ast.literal_eval(literal(text)) for text in texts] == texts
    (tmp_path / "strings.py").write_text(source, encoding="utf-8")
    ruff = shutil.which("ruff")
    assert ruff is not None
    done = subprocess.run([ruff, "format", "--isolated", "--diff", "strings.py"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
