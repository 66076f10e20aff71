"""Every lint rule against its fixture pair: the bad tree must give exactly the diagnostics
its `# expect: CODE` comments name (on their lines), the good tree none at all."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from batch2flow.graph import build_graph
from batch2flow.lint.registry import all_rules

LINT_FIXTURES = Path(__file__).parent / "lint_fixtures"
CASES = sorted(p for p in LINT_FIXTURES.iterdir() if p.is_dir())
_EXPECT = re.compile(r"# expect: ([A-Z0-9, ]+)")


def expected(tree: Path) -> set[tuple[str, str, int]]:
    found = set()
    for path in sorted(tree.rglob("*.rb")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                for code in match.group(1).replace(",", " ").split():
                    found.add((code, path.relative_to(tree).as_posix(), number))
    return found


def found_in(tree: Path) -> set[tuple[str, str, int]]:
    return {(d.code, d.file, d.line) for d in build_graph([str(tree)]).diagnostics}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_fixture_gives_exactly_its_expected_diagnostics(case: Path) -> None:
    wanted = expected(case / "bad")
    assert case.name.upper() in {code for code, _file, _line in wanted}
    assert found_in(case / "bad") == wanted


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_good_fixture_gives_nothing(case: Path) -> None:
    assert expected(case / "good") == set()
    # B2F106 is no mistake: it tells that a loop (with its exit condition) is drawn
    assert {f for f in found_in(case / "good") if f[0] != "B2F106"} == set()


def test_every_rule_has_its_fixture_pair() -> None:
    # B2F106 (a loop drawn, information) and B2F108 (a runaway analysis) are no mistakes to show
    wanted = set(all_rules()) - {"B2F106", "B2F108"}
    assert wanted <= {p.name.upper() for p in CASES}


@pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is installed by .ci/run")
def test_lint_fixtures_are_valid_ruby() -> None:
    files = sorted(LINT_FIXTURES.rglob("*.rb"))
    script = "ARGV.each { |f| RubyVM::InstructionSequence.compile_file(f) }"
    result = subprocess.run(["ruby", "-e", script, *map(str, files)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


#: what the lint rules (B2F3xx) find in the project's own fixtures: each one a real instance
#: of its rule, read by eye (see each fixture's NOTES.md and expected_facts.json)
PROJECT_FIXTURE_FINDINGS: dict[str, set[tuple[str, str, int]]] = {
    "batch_holders": {
        # the creator reopens the batch it just filled: its jobs may all be done already
        ("B2F316", "app/services/imports/csv_importer.rb", 28),
        ("B2F316", "app/workers/exports/customer_export_worker.rb", 18),
        ("B2F318", "app/workers/imports/import_users_worker.rb", 18),
        ("B2F325", "app/services/billing/invoice_run.rb", 19),
    },
    "cross_file_callbacks": {
        ("B2F318", "app/workers/billing/monthly_close_worker.rb", 15),
        ("B2F318", "app/workers/billing/monthly_close_worker.rb", 19),
    },
    "cycles": {
        ("B2F318", "app/services/crm/contacts_import.rb", 14),
        # PollFeedsCallback enqueues PollFeedsWorker again after every round, unconditionally
        ("B2F320", "app/callbacks/feeds/poll_feeds_callback.rb", 7),
        ("B2F325", "app/workers/feeds/poll_feeds_worker.rb", 15),
    },
    "fan_out": {
        ("B2F325", "app/workers/emails/newsletter_worker.rb", 21),
        ("B2F325", "app/workers/emails/newsletter_worker.rb", 25),
        ("B2F325", "app/workers/emails/newsletter_worker.rb", 37),
        ("B2F325", "app/workers/emails/newsletter_worker.rb", 41),
    },
    "jobs_in_perform": {("B2F325", "app/workers/sync/list_accounts_worker.rb", 15)},
    "seed_pipeline": {
        # each step opens the next from :success only, and nothing watches for a dead job
        ("B2F318", "app/services/data_pipeline/callbacks.rb", 25),
        ("B2F318", "app/services/data_pipeline/callbacks.rb", 37),
        ("B2F318", "app/workers/flow1_worker.rb", 12),
        ("B2F318", "app/workers/kickoff_worker.rb", 14),
    },
    "scripts": {
        ("B2F325", "lib/tasks/billing.rake", 12),
        ("B2F325", "script/backfill_invoices.rb", 11),
    },
    "starters": {("B2F325", "app/services/payouts/process_payouts.rb", 20)},
}
PROJECT_FIXTURES = sorted(p for p in (Path(__file__).parent.parent / "fixtures").iterdir() if p.is_dir())


@pytest.mark.parametrize("fixture", PROJECT_FIXTURES, ids=lambda p: p.name)
def test_no_false_alarm_on_the_project_fixtures(fixture: Path) -> None:
    found = {f for f in found_in(fixture) if f[0].startswith("B2F3")}
    assert found == PROJECT_FIXTURE_FINDINGS.get(fixture.name, set())
