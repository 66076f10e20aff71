"""`batch2flow lint` and `batch2flow rule` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch2flow.cli import main
from batch2flow.lint.registry import all_rules

LINT_FIXTURES = Path(__file__).parent / "lint_fixtures"
JSON_KEYS = ["code", "severity", "file", "line", "col", "message", "help", "fix"]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def tree(tmp_path: Path, case: str, kind: str = "bad") -> Path:
    target = tmp_path / case
    shutil.copytree(LINT_FIXTURES / case / kind, target)
    return target


def test_a_clean_tree_prints_nothing_and_exits_0():
    result = run("lint", str(LINT_FIXTURES / "b2f310" / "good"))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_text_names_the_place_shows_the_line_with_a_caret_and_a_help_line():
    result = run("lint", str(LINT_FIXTURES / "b2f310" / "bad"))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("app/workers/import_worker.rb:25:5: B2F310 ")
    assert lines[1] == "        batch.on(:success, ImportCallback, 'import_id' => import_id) # expect: B2F310"
    assert lines[2] == "        ^"
    assert lines[3] == "  help: register every callback before calling `jobs`"
    assert lines[-1] == "1 diagnostic"


def test_json_is_the_contract_and_the_same_diagnostics_appear_in_graph():
    path = str(LINT_FIXTURES / "b2f314" / "bad")
    result = run("lint", path, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["version"] == 1 and list(document) == ["version", "diagnostics"]
    found = document["diagnostics"]
    assert [list(d) for d in found] == [JSON_KEYS] * 3
    assert {(d["code"], d["line"], d["fix"]) for d in found} == {("B2F314", 5, True), ("B2F314", 6, True),
                                                                  ("B2F314", 10, True)}
    assert found[0]["help"] == "read callback options with string keys: options['key']"
    graph = json.loads(run("graph", path, "--format", "json").stdout)["diagnostics"]
    assert graph == [{k: d[k] for k in JSON_KEYS[:6]} for d in found]


def test_help_is_null_when_a_diagnostic_has_none():
    result = run("lint", str(LINT_FIXTURES / "b2f320" / "bad"), "--format", "json")
    loop = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "B2F106"]
    assert loop and loop[0]["help"] is None and loop[0]["fix"] is False


def test_github_annotations():
    result = run("lint", str(LINT_FIXTURES / "b2f326" / "bad"), "--format", "github")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith("::warning file=")
    assert "b2f326/bad/app/workers/import_worker.rb,line=5,col=12,title=B2F326::" in line
    assert "::`failure_info` was removed" in line


def test_select_ignore_and_prefixes():
    path = str(LINT_FIXTURES / "b2f320" / "bad")  # B2F106 (info), B2F320, B2F325 (info)

    def codes(*options: str) -> set[str]:
        document = json.loads(run("lint", path, "--format", "json", *options).stdout)
        return {d["code"] for d in document["diagnostics"]}

    assert codes() == {"B2F106", "B2F320", "B2F325"}
    assert codes("--select", "B2F3") == {"B2F320", "B2F325"}
    assert codes("--select", "B2F3", "--ignore", "B2F325") == {"B2F320"}
    assert codes("--ignore", "B2F106,B2F320") == {"B2F325"}


def test_an_unknown_code_is_a_usage_error():
    result = run("lint", str(LINT_FIXTURES / "b2f320" / "bad"), "--select", "B2F999")
    assert result.exit_code == 2
    assert "no such code: B2F999" in result.stderr


def test_fail_on_sets_the_exit_status():
    path = str(LINT_FIXTURES / "b2f325" / "bad")  # one info finding only
    assert run("lint", path).exit_code == 0
    assert run("lint", path, "--fail-on", "info").exit_code == 1
    assert run("lint", str(LINT_FIXTURES / "b2f310" / "bad"), "--fail-on", "error").exit_code == 0


def test_settings_from_pyproject_toml(tmp_path: Path):
    path = tree(tmp_path, "b2f320")
    (tmp_path / "pyproject.toml").write_text('[tool.batch2flow]\nignore = ["B2F320"]\nfail-on = "info"\n')
    result = run("lint", str(path), "--format", "json")
    assert {d["code"] for d in json.loads(result.stdout)["diagnostics"]} == {"B2F106", "B2F325"}
    assert result.exit_code == 1  # fail-on info
    # the command line wins over the file
    assert {d["code"] for d in json.loads(run("lint", str(path), "--format", "json", "--ignore", "B2F1")
                                          .stdout)["diagnostics"]} == {"B2F320", "B2F325"}


def test_a_batch2flow_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path):
    path = tree(tmp_path, "b2f320")
    (tmp_path / "pyproject.toml").write_text('[tool.batch2flow]\nselect = ["B2F106"]\n')
    (path / ".batch2flow.toml").write_text('select = ["B2F320"]\n')
    result = run("lint", str(path), "--format", "json")
    assert {d["code"] for d in json.loads(result.stdout)["diagnostics"]} == {"B2F320"}


def test_a_broken_settings_file_is_a_usage_error(tmp_path: Path):
    path = tree(tmp_path, "b2f320")
    (path / ".batch2flow.toml").write_text('fail-on = "sometimes"\n')
    result = run("lint", str(path))
    assert result.exit_code == 2
    assert "fail-on must be one of" in result.stderr


def test_inline_suppression_on_the_line_or_the_line_above(tmp_path: Path):
    path = tree(tmp_path, "b2f312")
    worker = path / "app/workers/report_run_worker.rb"
    lines = worker.read_text().splitlines()
    lines[17] += "  # batch2flow: disable=B2F312"  # line 18, :pdf
    lines.insert(18, "        # batch2flow: disable=B2F999, B2F312")  # above line 19
    worker.write_text("\n".join(lines) + "\n")
    result = run("lint", str(path), "--format", "json")
    assert [d["line"] for d in json.loads(result.stdout)["diagnostics"]] == [21, 22, 23]
    graph = json.loads(run("graph", str(path), "--format", "json").stdout)
    assert [d["line"] for d in graph["diagnostics"]] == [21, 22, 23]


def test_diff_shows_the_certain_fixes_and_writes_nothing(tmp_path: Path):
    path = tree(tmp_path, "b2f314")
    before = {p: p.read_bytes() for p in path.rglob("*.rb")}
    result = run("lint", str(path), "--diff")
    assert {p: p.read_bytes() for p in path.rglob("*.rb")} == before
    assert "-    import = Import.find(options[:import_id]) # expect: B2F314" in result.stdout
    assert "+    import = Import.find(options['import_id']) # expect: B2F314" in result.stdout
    assert "+    import.finish!(options.fetch('rows')) # expect: B2F314" in result.stdout
    assert "+    AdminMailer.import_done(opts['import_id']).deliver_later # expect: B2F314" in result.stdout


def test_fix_rewrites_only_the_files_it_fixes(tmp_path: Path):
    path = tree(tmp_path, "b2f101")
    (path / "app/workers/untouched.rb").write_text("class Untouched; end\n")
    stamp = (path / "app/workers/untouched.rb").stat().st_mtime_ns
    result = run("lint", str(path), "--fix")
    assert result.exit_code == 0
    assert "fixed 1 in" in result.stderr
    text = (path / "app/workers/export_worker.rb").read_text()
    assert "batch.on(:success, 'ExportWorker#done'" in text and ":sucess" not in text
    assert (path / "app/workers/untouched.rb").stat().st_mtime_ns == stamp
    assert run("lint", str(path)).exit_code == 0


def test_an_event_with_no_single_close_match_is_not_fixed(tmp_path: Path):
    path = tree(tmp_path, "b2f101")
    worker = path / "app/workers/export_worker.rb"
    worker.write_text(worker.read_text().replace(":sucess", ":finished"))
    result = run("lint", str(path), "--format", "json")
    assert [d["fix"] for d in json.loads(result.stdout)["diagnostics"]] == [False]


def test_diff_needs_the_text_format():
    assert run("lint", str(LINT_FIXTURES / "b2f101" / "bad"), "--diff", "--format", "json").exit_code == 2


@pytest.mark.parametrize("code", sorted(all_rules()))
def test_every_rule_is_documented_in_three_parts(code: str):
    result = run("rule", code.lower())
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith(f"{code} (")
    positions = [text.find(part) for part in ("What it does:", "Why is this bad:", "Example:")]
    assert -1 not in positions and positions == sorted(positions), text
    if all_rules()[code].help:
        assert f"\nhelp: {all_rules()[code].help}\n" in text


def test_rule_without_a_code_lists_them_and_an_unknown_code_is_a_usage_error():
    listing = run("rule").stdout.splitlines()
    assert [line.split()[0] for line in listing] == sorted(all_rules())
    assert run("rule", "B2F999").exit_code == 2


def codes_in(path: Path) -> set[str]:
    return {d["code"] for d in json.loads(run("lint", str(path), "--format", "json").stdout)["diagnostics"]}


def test_the_batch_library_is_read_from_a_lockfile_above_the_scanned_folder(tmp_path: Path):
    app = tree(tmp_path, "b2f319")
    (app / "Gemfile").unlink()
    (tmp_path / "Gemfile.lock").write_text(
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    sidekiq (7.2.4)\n"
        "      redis-client (>= 0.19.0)\n    sidekiq-batch (0.2.0)\n      sidekiq (>= 3)\n\n"
        "DEPENDENCIES\n  sidekiq-batch\n")
    assert codes_in(app / "app") == {"B2F319"}


def test_death_is_fine_under_sidekiq_pro(tmp_path: Path):
    app = tree(tmp_path, "b2f319")
    (app / "Gemfile").write_text("source 'https://rubygems.org'\ngem 'sidekiq-pro'\n")
    assert codes_in(app) == set()


def test_fix_keeps_the_form_of_a_string_event(tmp_path: Path):
    path = tree(tmp_path, "b2f101")
    worker = path / "app/workers/export_worker.rb"
    worker.write_text(worker.read_text().replace("batch.on(:sucess,", 'batch.on("complet",'))
    result = run("lint", str(path), "--diff")
    assert "+    batch.on(\"complete\", 'ExportWorker#done'" in result.stdout
    assert run("lint", str(path), "--fix").exit_code == 0
    assert 'batch.on("complete", ' in worker.read_text()
