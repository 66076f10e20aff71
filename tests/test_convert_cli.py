"""`batch2flow convert` as a user runs it: what a first run writes, that a rerun writes
nothing, --dry-run/--diff/--check, files it must not overwrite, --tasks stub, where
diagnostics go, and usage errors."""

from __future__ import annotations

import ast
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from batch2flow.cli import main
from batch2flow.convert import convert

SEED = FIXTURES / "seed_pipeline"
CYCLES = FIXTURES / "cycles"
DYNAMIC = FIXTURES / "dynamic"
SUMMARY = re.compile(r"^\d+ workflows?; (?:\d+ (?:jobs and callbacks|job and callback), all run in Ruby "
                     r"through the bridge|\d+ of \d+ jobs and callbacks \(.*%\) converted without a stub"
                     r"|no jobs or callbacks to convert); "
                     r"(\d+) files? written, (\d+) unchanged; \d+ diagnostics? \(see MIGRATION.md\)$")
STATUS = re.compile(r"^ *(new|changed|unchanged|edited|foreign|stale)  (\S+)$")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def expected_files(fixture: Path) -> set[str]:
    names = [workflow.name for workflow in convert([str(fixture)]).graph.workflows]
    assert names
    return ({f"flows/{n}.py" for n in names} | {f"diagrams/{n}.md" for n in names}
            | {"prefect.yaml", "MIGRATION.md"})


def files_under(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def identities(out: Path) -> dict[str, tuple[int, int]]:
    return {path: ((out / path).stat().st_ino, (out / path).stat().st_mtime_ns) for path in files_under(out)}


def statuses(stdout: str) -> dict[str, str]:
    found = {}
    for line in stdout.splitlines():
        match = STATUS.match(line)
        if match:
            found[match.group(2)] = match.group(1)
    return found


def converted(fixture: Path, out: Path, *options: str) -> dict[str, bytes]:
    result = run("convert", fixture, "-o", out, *options)
    assert result.exit_code == 0, result.output
    return files_under(out)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """The seed pipeline's Ruby, copied so a test may change it."""
    copy = tmp_path / "seed"
    shutil.copytree(SEED / "app", copy / "app")
    return copy


# --- a first run, and a rerun -------------------------------------------------------------


@pytest.mark.parametrize("fixture", [SEED, CYCLES], ids=["seed_pipeline", "cycles"])
def test_first_run_writes_flows_diagrams_deployments_and_migration(fixture, tmp_path):
    out = tmp_path / "out"
    result = run("convert", fixture, "-o", out)
    assert result.exit_code == 0, result.output
    wanted = expected_files(fixture)
    written = files_under(out)
    assert set(written) == wanted
    for path, content in written.items():
        if path.endswith(".py"):
            compile(content.decode("utf-8"), path, "exec")
    assert sorted(result.stdout.splitlines()[:-1]) == sorted(f"wrote {out / path}" for path in wanted)
    assert SUMMARY.match(result.stdout.splitlines()[-1]).groups() == (str(len(wanted)), "0")


def test_cycles_is_several_workflows():
    assert len([p for p in expected_files(CYCLES) if p.startswith("flows/")]) == 3


@pytest.mark.parametrize("fixture", [SEED, CYCLES], ids=["seed_pipeline", "cycles"])
def test_second_run_writes_nothing(fixture, tmp_path):
    out = tmp_path / "out"
    before = converted(fixture, out)
    stamps = identities(out)
    result = run("convert", fixture, "-o", out)
    assert result.exit_code == 0, result.output
    assert "wrote" not in result.stdout
    assert SUMMARY.match(result.stdout.strip()).groups() == ("0", str(len(before)))
    assert files_under(out) == before
    assert identities(out) == stamps  # not even rewritten with the same bytes


# --- --dry-run, --diff, --check ---------------------------------------------------------


def test_dry_run_lists_files_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = run("convert", SEED, "-o", out, "--dry-run")
    assert result.exit_code == 0, result.output
    assert statuses(result.stdout) == dict.fromkeys(expected_files(SEED), "new")
    assert list(out.iterdir()) == []


def test_dry_run_after_a_run_says_unchanged(tmp_path):
    out = tmp_path / "out"
    before = converted(SEED, out)
    result = run("convert", SEED, "-o", out, "--dry-run")
    assert result.exit_code == 0
    assert statuses(result.stdout) == dict.fromkeys(before, "unchanged")


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = run("convert", SEED, "-o", out, "--diff")
    assert result.exit_code == 0, result.output
    assert "--- /dev/null\n+++ b/flows/data_pipeline.py\n@@ -0,0 +1," in result.stdout
    assert "\n+from prefect import flow\n" in result.stdout
    assert "\n+def data_pipeline(source_id, run_date) -> list[object]:\n" in result.stdout
    assert list(out.iterdir()) == []


def test_diff_shows_what_a_change_in_the_ruby_changes(seed_copy, tmp_path):
    out = tmp_path / "out"
    before = converted(seed_copy, out)
    worker = seed_copy / "app/workers/flow3_task_worker.rb"
    worker.write_text(worker.read_text().replace("queue: :pipeline", "queue: :urgent"))
    result = run("convert", seed_copy, "-o", out, "--diff")
    assert result.exit_code == 0, result.output
    assert "--- a/flows/data_pipeline.py\n+++ b/flows/data_pipeline.py\n" in result.stdout
    task = '    name="Flow3TaskWorker",\n-    tags=["sidekiq", "queue:pipeline"],\n'
    assert f"\n {task}+    tags=[\"sidekiq\", \"queue:urgent\"],\n" in result.stdout
    assert files_under(out) == before


def test_check_passes_when_up_to_date(tmp_path):
    out = tmp_path / "out"
    converted(SEED, out)
    result = run("convert", SEED, "-o", out, "--check")
    assert result.exit_code == 0, result.output


def test_check_fails_when_a_flow_file_is_missing(tmp_path):
    out = tmp_path / "out"
    converted(SEED, out)
    (out / "flows/data_pipeline.py").unlink()
    result = run("convert", SEED, "-o", out, "--check")
    assert result.exit_code == 1
    assert statuses(result.stdout)["flows/data_pipeline.py"] == "new"
    assert not (out / "flows/data_pipeline.py").exists()


def test_check_fails_when_the_ruby_changed(seed_copy, tmp_path):
    out = tmp_path / "out"
    before = converted(seed_copy, out)
    worker = seed_copy / "app/workers/flow3_task_worker.rb"
    worker.write_text(worker.read_text().replace("queue: :pipeline", "queue: :urgent"))
    result = run("convert", seed_copy, "-o", out, "--check")
    assert result.exit_code == 1
    assert statuses(result.stdout)["flows/data_pipeline.py"] == "changed"
    assert files_under(out) == before


def test_check_fails_on_an_empty_folder(tmp_path):
    result = run("convert", SEED, "-o", tmp_path / "out", "--check")
    assert result.exit_code == 1
    assert not (tmp_path / "out").exists()


# --- files that are not batch2flow's to overwrite ---------------------------------------


def test_a_hand_edited_flow_is_not_overwritten(tmp_path):
    out = tmp_path / "out"
    converted(SEED, out)
    flow = out / "flows/data_pipeline.py"
    original = flow.read_bytes()
    flow.write_bytes(original + b"# my fix\n")
    (out / "MIGRATION.md").unlink()
    result = run("convert", SEED, "-o", out)
    assert result.exit_code == 1
    assert "flows/data_pipeline.py (edited)" in result.stderr
    assert "--force" in result.stderr
    assert "wrote" not in result.stdout
    assert flow.read_bytes() == original + b"# my fix\n"
    assert not (out / "MIGRATION.md").exists()  # all or nothing: nothing was written

    forced = run("convert", SEED, "-o", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert flow.read_bytes() == original
    assert (out / "MIGRATION.md").exists()


def test_dry_run_reports_a_hand_edited_flow(tmp_path):
    out = tmp_path / "out"
    converted(SEED, out)
    with (out / "flows/data_pipeline.py").open("a") as handle:
        handle.write("# my fix\n")
    result = run("convert", SEED, "-o", out, "--dry-run")
    assert statuses(result.stdout)["flows/data_pipeline.py"] == "edited"
    assert run("convert", SEED, "-o", out, "--check").exit_code == 1


def test_a_foreign_prefect_yaml_is_not_overwritten(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    mine = "# my own deployments\ndeployments: []\n"
    (out / "prefect.yaml").write_text(mine)
    result = run("convert", SEED, "-o", out)
    assert result.exit_code == 1
    assert "prefect.yaml (foreign)" in result.stderr
    assert (out / "prefect.yaml").read_text() == mine
    assert set(files_under(out)) == {"prefect.yaml"}

    forced = run("convert", SEED, "-o", out, "--force")
    assert forced.exit_code == 0, forced.output
    assert (out / "prefect.yaml").read_text().startswith("# Generated by batch2flow ")
    assert set(files_under(out)) == expected_files(SEED)


# --- --tasks stub -----------------------------------------------------------------------


def ruby_perform(path: Path) -> str:
    """The `def perform ... end` of a Ruby file, found by its indentation."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*def perform\b", line))
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    end = lines.index(f"{indent}end", start)
    return textwrap.dedent("\n".join(lines[start: end + 1]))


def tasks_of(source: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(source)
    return {
        node.name: node for node in tree.body
        if isinstance(node, ast.FunctionDef) and ast.unparse(node.decorator_list[0]).startswith("task(")
    }


def returned(function: ast.FunctionDef) -> ast.Call:
    call = function.body[-1].value
    assert isinstance(call, ast.Call)
    return call


def test_stub_tasks_hold_the_ruby_perform(tmp_path):
    translated = converted(SEED, tmp_path / "bridge", "--tasks", "translated")
    bridge = tasks_of(translated["flows/data_pipeline.py"].decode())
    result = run("convert", SEED, "-o", tmp_path / "stub", "--tasks", "stub")
    assert result.exit_code == 0, result.output
    source = (tmp_path / "stub/flows/data_pipeline.py").read_text()
    compile(source, "data_pipeline.py", "exec")
    stubs = tasks_of(source)
    assert set(stubs) == set(bridge)
    sent = {name for name, fn in bridge.items() if ast.unparse(returned(fn).func) == "run_job"}
    assert len(sent) >= 5
    for name, function in stubs.items():
        call = returned(function)
        if name not in sent:  # orchestration steps stay what they were
            assert ast.unparse(call.func) == "orchestration_step"
            continue
        assert ast.unparse(call.func) == "not_ported"
        where = ast.literal_eval(call.args[1])
        ruby_file = SEED / where.rsplit(":", 1)[0]
        doc = ast.get_docstring(function)
        worker = ast.literal_eval(call.args[0])
        assert doc is not None and doc.startswith(f"NOT PORTED: the Ruby worker {worker} ({where})")
        held = doc.split("to port to Python:\n\n", 1)[1].split("\n\nUntil then", 1)[0]
        assert textwrap.dedent(held) == ruby_perform(ruby_file)


# --- diagnostics and usage errors -------------------------------------------------------


def test_diagnostics_go_to_stderr_with_a_caret(tmp_path):
    out = tmp_path / "out"
    result = run("convert", DYNAMIC, "-o", out)
    assert result.exit_code == 0, result.output  # warnings only
    lines = result.stderr.splitlines()
    header = re.compile(r"^(\S+?):(\d+):(\d+): (B2F\d{3}) \[(error|warning|info)\] ")
    headers = [(i, header.match(line)) for i, line in enumerate(lines) if header.match(line)]
    assert len(headers) == len(convert([str(DYNAMIC)]).diagnostics) > 0
    for i, match in headers:
        file, line, col = match.group(1), int(match.group(2)), int(match.group(3))
        source_line = (DYNAMIC / file).read_text(encoding="utf-8").splitlines()[line - 1]
        assert lines[i + 1] == f"    {source_line.rstrip()}"
        assert lines[i + 2] == " " * (4 + col - 1) + "^"
    assert "B2F" not in result.stdout
    *wrote, summary = result.stdout.splitlines()
    assert all(line.startswith(f"wrote {out}") for line in wrote) and len(wrote) == 4
    assert SUMMARY.match(summary)


@pytest.mark.parametrize(("args", "message"), [
    (["convert", str(SEED)], "Missing option '-o'"),
    (["convert", str(SEED), "-o", "out", "--tasks", "python"], "Invalid value for '--tasks'"),
    (["convert", "-o", "out"], "Missing argument 'PATHS...'"),
    (["convert", "/no/such/dir", "-o", "out"], "does not exist"),
])
def test_usage_errors_exit_2_without_a_traceback(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert list(tmp_path.iterdir()) == []


def test_the_summary_speaks_of_one_workflow_in_the_singular(tmp_path: Path) -> None:
    tree = tmp_path / "app"
    tree.mkdir()
    (tree / "flow.rb").write_text("class A\n  include Sidekiq::Job\n  def perform; end\nend\n"
                                  "class Flow\n  def self.start\n    b = Sidekiq::Batch.new\n"
                                  "    b.jobs { A.perform_async }\n  end\nend\n")
    result = run("convert", tree, "-o", tmp_path / "out")
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("1 workflow; 1 job and callback, all run in Ruby"), summary
    assert SUMMARY.match(summary)


def test_coverage_counts_every_node_and_never_goes_negative(tmp_path: Path) -> None:
    """In the translated flows, what is not translated (here a start of another workflow
    with an argument the flow cannot compute, and a batch description) is counted among
    what was found, so the share is never negative and never 100%."""
    for fixture in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for plan in convert([str(fixture)], tasks="translated").plans:
            assert 0 <= plan.converted <= plan.found, (fixture.name, plan.workflow)
            if plan.stubs or plan.diagnostics:
                assert plan.converted < plan.found, (fixture.name, plan.workflow)
