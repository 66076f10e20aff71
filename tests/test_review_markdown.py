"""`batch2flow review` (Markdown, the default): the pull-request comment."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from review_repo import STEPS, STEPS_FILE, TYPO, commit, new_repo
from test_review_json import ARCHIVE_STEP, DELIVERY_THEN_ARCHIVE, FAX, MAIL, MAIL_EACH, steps

from batch2flow.cli import main
from batch2flow.render.mermaid_labels import strike
from batch2flow.review.markdown import MARKER


def comment(repo: Path, base: str, head: str) -> str:
    result = CliRunner().invoke(main, ["review", str(repo), "--base", base, "--head", head])
    assert result.exit_code == 0, result.output
    return result.stdout


def chart(text: str) -> str:
    found = re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)
    assert len(found) == 1
    return str(found[0])


def node_line(mermaid: str, label_start: str) -> str:
    return next(line.strip() for line in mermaid.splitlines() if f'"{label_start}' in line)


def classes(mermaid: str, name: str) -> set[str]:
    line = next(ln.strip() for ln in mermaid.splitlines() if ln.strip().startswith("class ") and
                ln.strip().endswith(" " + name))
    return set(line.split()[1].split(","))


def link_styles(mermaid: str) -> dict[str, set[int]]:
    """The colour of each linkStyle line -> the edge positions it styles."""
    found: dict[str, set[int]] = {}
    for line in mermaid.splitlines():
        if match := re.match(r"\s*linkStyle ([\d,]+) stroke:(#\w+)", line):
            found[match.group(2)] = {int(n) for n in match.group(1).split(",")}
    return found


def edges(mermaid: str) -> list[str]:
    return [line.strip() for line in mermaid.splitlines() if "|" in line and "-" in line.split("|")[0]]


def test_a_gained_step_is_highlighted_and_listed(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    head = commit(repo, steps((DELIVERY_THEN_ARCHIVE, ARCHIVE_STEP)), "notify once archived")
    text = comment(repo, base, head)
    assert text.startswith(MARKER + "\n")
    mermaid = chart(text)
    notify = node_line(mermaid, "NotifyWorker").split("[")[0]
    archived = node_line(mermaid, "on success: NightlyReport::Steps#archived").split("{")[0]
    assert {notify, archived} <= classes(mermaid, "added")
    drawn = edges(mermaid)
    green = link_styles(mermaid)["#1a7f37"]
    assert {drawn[n].split()[-1] for n in green} >= {notify, archived}
    assert "| job added | `Reports::NotifyWorker` |" in text
    assert "| order added | `Reports::ArchiveWorker` → `Reports::NotifyWorker` on success |" in text
    assert "| order added | `Reports::BuildWorker` → `Reports::NotifyWorker` on success |" in text
    assert "\n`stale_exports`: unchanged\n" in text


def test_a_lost_job_is_drawn_dashed_and_struck(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    head = commit(repo, steps((FAX, "")), "stop faxing")
    text = comment(repo, base, head)
    mermaid = chart(text)
    fax = node_line(mermaid, strike("FaxWorker"))
    fax_id = fax.split("[")[0]
    assert fax_id in classes(mermaid, "removed")
    assert "stroke-dasharray" in next(ln for ln in mermaid.splitlines() if "classDef removed" in ln)
    red = link_styles(mermaid)["#cf222e"]
    struck = [edge for n, edge in enumerate(edges(mermaid)) if n in red]
    assert struck and all(f'-.->|"{strike("success")}"|' in edge for edge in struck)
    assert any(edge.endswith(fax_id) for edge in struck) and any(edge.startswith(fax_id) for edge in struck)
    assert "| job removed | `Reports::FaxWorker` |" in text
    assert "| order removed | `Reports::FaxWorker` → `Reports::ArchiveWorker` on success |" in text


def test_an_event_change_is_one_row(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    head = commit(repo, steps((":success, 'NightlyReport::Steps#delivered'",
                               ":complete, 'NightlyReport::Steps#delivered'")), "archive even after failures")
    text = comment(repo, base, head)
    assert ("| callback event changed | `Reports::MailWorker` → `Reports::ArchiveWorker`: "
            "success → complete |") in text
    assert "| order added |" not in text and "| order removed |" not in text
    mermaid = chart(text)
    complete = node_line(mermaid, "on complete: NightlyReport::Steps#delivered").split("{")[0]
    success = node_line(mermaid, strike("on success: NightlyReport::Steps#delivered")).split("{")[0]
    assert complete in classes(mermaid, "added") and success in classes(mermaid, "removed")


def test_a_refactor_is_one_line(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    head = commit(repo, {"app/callbacks/nightly_report_steps.rb": STEPS.replace("delivery", "deliveries")},
                  "move the callbacks", remove=("app/services/nightly_report/steps.rb",))
    text = comment(repo, base, head)
    assert text.splitlines()[1:] == [
        "", f"## batch2flow review: `{base[:7]}` → `{head[:7]}`",
        "", "This change touches no Sidekiq Batch workflow (2 unchanged).",
    ]


def test_a_job_that_now_fans_out_is_amber_and_one_row(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    head = commit(repo, steps((MAIL, MAIL_EACH)), "one mail per recipient")
    text = comment(repo, base, head)
    mermaid = chart(text)
    mail = node_line(mermaid, "MailWorker")
    assert mail.split("[")[0] in classes(mermaid, "changed") and '[/"' in mail
    assert "| fan-out changed | `Reports::MailWorker` now fans out |" in text
    assert text.count("\n| ") == 2  # the header and that one row


def test_added_and_removed_workflows_and_diagnostics(tmp_path: Path) -> None:
    repo, base = new_repo(tmp_path)
    head = commit(repo, {STEPS_FILE: TYPO}, "typo, and no more purging",
                  remove=("app/services/stale_exports.rb",))
    result = CliRunner().invoke(main, ["review", str(repo), "--base", base, "--head", head])
    assert result.exit_code == 1
    removed = result.stdout.split("### `stale_exports`: removed\n")[1].split("\n\n####")[0]
    # no head to draw: the table says what went
    assert "```mermaid" not in removed
    assert "| job removed | `Exports::PurgeWorker` |" in removed
    assert ("#### Diagnostics introduced\n\n- **error** B2F101 `app/services/nightly_report/steps.rb:9:19`: "
            "unknown batch event :sucess (did you mean :success?) (help: ") in result.stdout
    assert "Diagnostics fixed" not in result.stdout
    back = CliRunner().invoke(main, ["review", str(repo), "--base", head, "--head", base])
    assert back.exit_code == 0
    added = back.stdout.split("### `stale_exports`: added\n")[1]
    assert "```mermaid\nflowchart TD\n" in added and "classDef" not in added.split("```")[1]
    assert "| job added | `Exports::PurgeWorker` |" in added
    assert "#### Diagnostics fixed\n\n- **error** B2F101" in back.stdout
