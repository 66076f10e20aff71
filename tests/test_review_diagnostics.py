"""`diagnostics_diff`: what a change introduces and fixes, whatever lines moved."""

from __future__ import annotations

from batch2flow import diagnostics as diag
from batch2flow.review.diagnostics import diagnostics_diff

FILE = "app/services/nightly_report.rb"


def unknown_worker(line: int, name: str = "GhostWorker", file: str = FILE) -> diag.Diagnostic:
    return diag.make(diag.UNKNOWN_WORKER, file, line, 7, f"enqueued worker {name} is not defined")


def missing_target(line: int, where: int) -> diag.Diagnostic:
    return diag.make(diag.UNRESOLVED_CALLBACK, FILE, line, 5,
                     f"callback target 'Steps#built': class not found; did you mean "
                     f"'Report::Steps#built' (app/callbacks/steps.rb:{where})?")


def test_a_shifted_line_is_the_same_problem() -> None:
    assert diagnostics_diff((unknown_worker(4), missing_target(9, 3)),
                            (unknown_worker(12), missing_target(17, 8))) == ((), ())


def test_a_new_problem_another_file_or_a_second_occurrence_is_introduced() -> None:
    base = (unknown_worker(4),)
    other_worker = unknown_worker(5, "LostWorker")
    other_file = unknown_worker(4, file="app/services/other.rb")
    again = unknown_worker(20)
    assert diagnostics_diff(base, (unknown_worker(4), other_worker)) == ((other_worker,), ())
    assert diagnostics_diff(base, (other_file,)) == ((other_file,), base)
    assert diagnostics_diff(base, (unknown_worker(4), again)) == ((again,), ())
    assert diagnostics_diff((unknown_worker(4), again), base) == ((), (again,))
