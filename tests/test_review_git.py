"""`batch2flow review` against the repository itself: the work tree, paths, errors, annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from review_repo import STEPS, STEPS_FILE, TYPO, commit, git, new_repo, worker_files, write

from batch2flow.cli import main
from batch2flow.review.annotations import escape_data, escape_property


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["review", *args])


def document(result: Result) -> dict[str, object]:
    assert "Traceback" not in result.output
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


def untouched_state(repo: Path) -> tuple[str, bytes, str]:
    # with optional locks off, git status itself does not refresh the index it is compared on
    status = git(repo, "-c", "core.untrackedCache=false", "status", "--porcelain", "--untracked-files=all",
                 env={"GIT_OPTIONAL_LOCKS": "0"})
    return status, (repo / ".git" / "index").read_bytes(), git(repo, "stash", "list")


def test_the_head_defaults_to_the_work_tree_which_stays_untouched(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    # an edit and an untracked file, neither staged: both are the work tree's
    write(repo, {STEPS_FILE: STEPS.replace("Reports::FaxWorker.perform_async(options['day'])",
                                           "Reports::CourierWorker.perform_async(options['day'])"),
                 **worker_files("CourierWorker", "PagerWorker")})
    # and one staged: the index holds something HEAD does not
    git(repo, "add", "app/workers/reports/pager_worker.rb")
    before = untouched_state(repo)
    result = run(str(repo), "--base", base, "--format", "json")
    assert result.exit_code == 0
    found = document(result)
    assert found["head"] == "worktree"
    assert found["workflows"][0]["jobs_added"] == ["Reports::CourierWorker"]
    assert found["workflows"][0]["jobs_removed"] == ["Reports::FaxWorker"]
    assert untouched_state(repo) == before
    assert before[0].splitlines() == [" M " + STEPS_FILE, "A  app/workers/reports/pager_worker.rb",
                                      "?? app/workers/reports/courier_worker.rb"]


def test_paths_are_read_relative_to_where_the_user_is(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    repo, base = new_repo(tmp_path)
    fax = "        Reports::FaxWorker.perform_async(options['day'])\n"
    head = commit(repo, {STEPS_FILE: STEPS.replace(fax, "")}, "stop faxing")
    monkeypatch.chdir(repo / "app" / "workers")
    # only the workers: no starter, so no workflow at either revision
    assert document(run(".", "--base", base, "--head", head, "--format", "json"))["workflows"] == []
    assert run(".", "--base", base, "--head", head).stdout.endswith(
        "\n\nThis change touches no Sidekiq Batch workflow.\n")
    monkeypatch.chdir(repo / "app")
    changed = document(run("services", "--base", base, "--head", head, "--format", "json"))
    assert changed["workflows"][0]["jobs_removed"] == ["Reports::FaxWorker"]


def test_diagnostics_introduced_give_exit_1_and_fixed_ones_are_listed(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    broken = commit(repo, {STEPS_FILE: TYPO}, "typo")
    result = run(str(repo), "--base", base, "--head", broken, "--format", "json")
    assert result.exit_code == 1
    added = document(result)["diagnostics_added"]
    assert [(d["code"], d["severity"], d["file"], d["line"], d["fix"]) for d in added] == [
        ("B2F101", "error", STEPS_FILE, 9, False)]
    assert list(added[0]) == ["code", "severity", "file", "line", "col", "message", "help", "fix"]
    # three comment lines shift the typo down: the same problem, not a new one
    shifted = commit(repo, {STEPS_FILE: "# a\n# b\n# c\n" + TYPO}, "comments")
    moved = document(run(str(repo), "--base", broken, "--head", shifted, "--format", "json"))
    assert moved["diagnostics_added"] == moved["diagnostics_fixed"] == []
    fixed = run(str(repo), "--base", shifted, "--head", base, "--format", "json")
    assert fixed.exit_code == 0
    assert [d["code"] for d in document(fixed)["diagnostics_fixed"]] == ["B2F101"]


def test_github_format_prints_the_new_diagnostics_as_annotations(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    broken = commit(repo, {STEPS_FILE: TYPO}, "typo")
    result = run(str(repo), "--base", base, "--head", broken, "--format", "github")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(f"::error file={STEPS_FILE},line=9,col=19,title=B2F101 (error)::"
                           "unknown batch event :sucess")
    assert "%0Ahelp: " in line
    assert run(str(repo), "--base", broken, "--head", base, "--format", "github").stdout == ""


def test_annotation_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("app/a,b:c.rb") == "app/a%2Cb%3Ac.rb"


def test_an_unknown_revision_is_a_usage_error(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    for args in (["--base", "no-such-branch"], ["--base", base, "--head", "v9.9"], ["--base", "--all"]):
        result = run(str(repo), *args)
        assert result.exit_code == 2, args
        assert "unknown revision" in result.stderr and "Traceback" not in result.output


def test_a_path_outside_a_repository_is_a_usage_error(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "loose"
    write(outside, {"app/services/stale.rb": "class Stale; end\n"})
    # git must not find a repository above the test's folder either
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = run(str(outside), "--base", "HEAD")
    assert result.exit_code == 2
    assert f"{outside} is not inside a git repository" in result.stderr


def test_base_is_required() -> None:
    result = run(".")
    assert result.exit_code == 2 and "--base" in result.output


def test_max_file_size_applies_to_both_revisions(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    head = commit(repo, {STEPS_FILE: "# " + "x" * 4000 + "\n" + STEPS}, "a long comment")
    args = (str(repo), "--base", base, "--head", head, "--format", "json")
    assert document(run(*args))["diagnostics_added"] == []
    added = document(run(*args, "--max-file-size", "2000"))["diagnostics_added"]
    assert ("B2F005", STEPS_FILE) in [(d["code"], d["file"]) for d in added]
