"""`batch2flow review --format json` on real git histories: the exact relations reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from review_repo import STEPS, commit, git, new_repo

from batch2flow.cli import main

DELIVERY_THEN_ARCHIVE = """\
    def delivered(_status, options)
      Reports::ArchiveWorker.perform_async(options['day'])
    end
"""

ARCHIVE_STEP = """\
    def delivered(_status, options)
      archive = Sidekiq::Batch.new
      archive.on(:success, 'NightlyReport::Steps#archived', options)
      archive.jobs do
        Reports::ArchiveWorker.perform_async(options['day'])
      end
    end

    def archived(_status, options)
      Reports::NotifyWorker.perform_async(options['day'])
    end
"""

FAX = "        Reports::FaxWorker.perform_async(options['day'])\n"
MAIL = "        Reports::MailWorker.perform_async(options['day'])\n"
MAIL_EACH = """\
        options['recipients'].each do |address|
          Reports::MailWorker.perform_async(options['day'], address)
        end
"""


def steps(*replacements: tuple[str, str]) -> dict[str, str]:
    text = STEPS
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return {"app/services/nightly_report/steps.rb": text}


def order(before: str, after: str, on: str = "success") -> dict[str, str]:
    return {"before": f"Reports::{before}", "after": f"Reports::{after}", "on": on}


def review(repo: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(main, ["review", str(repo), "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def short(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", "--short", rev).strip()


def nightly(**changes: object) -> dict[str, object]:
    entry: dict[str, object] = {"name": "nightly_report", "status": "changed", "jobs_added": [],
                                "jobs_removed": [], "order_added": [], "order_removed": [],
                                "fan_out_changed": []}
    entry.update(changes)
    return entry


UNCHANGED_EXPORTS = {"name": "stale_exports", "status": "unchanged", "jobs_added": [], "jobs_removed": [],
                     "order_added": [], "order_removed": [], "fan_out_changed": []}


def test_a_workflow_that_gains_a_step(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    head = commit(repo, steps((DELIVERY_THEN_ARCHIVE, ARCHIVE_STEP)), "notify once archived")
    code, document = review(repo, "--base", base, "--head", head)
    assert code == 0
    assert document == {
        "version": 1, "base": short(repo, base), "head": short(repo, head),
        "workflows": [
            nightly(jobs_added=["Reports::NotifyWorker"], order_added=[
                order("ArchiveWorker", "NotifyWorker"), order("BuildWorker", "NotifyWorker"),
                order("FaxWorker", "NotifyWorker"), order("MailWorker", "NotifyWorker")]),
            UNCHANGED_EXPORTS,
        ],
        "diagnostics_added": document["diagnostics_added"], "diagnostics_fixed": [],
    }
    # the delivery step now leads to the archive step from :success only: lint says so
    # (info), on its `on` line
    added = [(d["code"], d["severity"], d["file"], d["line"]) for d in document["diagnostics_added"]]
    line = next(n for n, text in enumerate(steps((DELIVERY_THEN_ARCHIVE, ARCHIVE_STEP))[
        "app/services/nightly_report/steps.rb"].splitlines(), 1) if "delivery.on(:success" in text)
    assert added == [("B2F318", "info", "app/services/nightly_report/steps.rb", line)]


EDITS = {
    "loses_a_job": (steps((FAX, "")), nightly(
        jobs_removed=["Reports::FaxWorker"],
        order_removed=[order("BuildWorker", "FaxWorker"), order("FaxWorker", "ArchiveWorker")])),
    # Build -> Archive still goes through the first batch's success callback first
    "success_becomes_complete": (steps((":success, 'NightlyReport::Steps#delivered'",
                                        ":complete, 'NightlyReport::Steps#delivered'")), nightly(
        order_added=[order("FaxWorker", "ArchiveWorker", "complete"),
                     order("MailWorker", "ArchiveWorker", "complete")],
        order_removed=[order("FaxWorker", "ArchiveWorker"), order("MailWorker", "ArchiveWorker")])),
    "adds_fan_out": (steps((MAIL, MAIL_EACH)), nightly(
        fan_out_changed=[{"worker": "Reports::MailWorker", "fan_out": True}])),
}


@pytest.mark.parametrize("files, expected", EDITS.values(), ids=EDITS.keys())
def test_each_edit_reports_exactly_its_relations(tmp_path: Path, files: dict[str, str],
                                                 expected: dict[str, object]) -> None:
    repo, base = new_repo(tmp_path)
    head = commit(repo, files, "edit")
    code, document = review(repo, "--base", base, "--head", head)
    assert code == 0
    assert document["workflows"] == [expected, UNCHANGED_EXPORTS]


def test_a_refactor_reports_nothing(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    renamed = STEPS.replace("delivery", "deliveries")
    head = commit(repo, {"app/callbacks/nightly_report_steps.rb": renamed}, "move the callbacks",
                  remove=("app/services/nightly_report/steps.rb",))
    code, document = review(repo, "--base", base, "--head", head)
    assert code == 0
    assert [w["status"] for w in document["workflows"]] == ["unchanged", "unchanged"]
    assert document["workflows"][0] == nightly(status="unchanged")
    assert document["diagnostics_added"] == document["diagnostics_fixed"] == []


def test_a_workflow_added_and_one_removed(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    head = commit(repo, {}, "retire the exports purge", remove=("app/services/stale_exports.rb",))
    _, document = review(repo, "--base", base, "--head", head)
    assert document["workflows"][1] == {**UNCHANGED_EXPORTS, "status": "removed",
                                        "jobs_removed": ["Exports::PurgeWorker"]}
    _, backwards = review(repo, "--base", head, "--head", base)
    assert backwards["workflows"][1] == {**UNCHANGED_EXPORTS, "status": "added",
                                         "jobs_added": ["Exports::PurgeWorker"]}
