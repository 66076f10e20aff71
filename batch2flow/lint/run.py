"""One lint run from settings to exit status: select, fix, print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from batch2flow import diagnostics as diag
from batch2flow.lint.config import LintSettings
from batch2flow.lint.model import Finding

if TYPE_CHECKING:
    from batch2flow.graph import Settings

EXIT_FOUND = 1
EXIT_USAGE = 2


@dataclass(frozen=True, kw_only=True)
class LintRequest:
    paths: list[str]
    output_format: str
    settings: LintSettings
    fix: bool
    show_diff: bool
    max_file_size: int | None
    #: how the tree is read (processes, cache, progress bar); None: one process, no cache
    run: Settings | None = None


def run_lint(request: LintRequest) -> int:
    from batch2flow.graph import graph_and_findings
    from batch2flow.lint.registry import all_rules
    from batch2flow.lint.selection import fails, selected, unknown_codes
    from batch2flow.scanner import DEFAULT_MAX_BYTES

    known = {c.code for c in diag.ALL_CODES} | set(all_rules())
    settings = request.settings
    unknown = unknown_codes(settings.select + settings.ignore, known)
    if unknown:
        click.echo(f"batch2flow lint: no such code: {', '.join(unknown)}", err=True)
        return EXIT_USAGE
    from batch2flow.cli_run import finish
    from batch2flow.graph import Settings

    run = request.run or Settings()
    try:
        graph, findings = graph_and_findings(request.paths, request.max_file_size or DEFAULT_MAX_BYTES, run)
    except Exception:  # a bug of ours must still not reach the user as a bare traceback
        from batch2flow.cli import _internal_error

        finish(run)
        _internal_error()
        return 3
    finish(run)
    shown = selected(findings, settings.select, settings.ignore)
    if request.fix or request.show_diff:
        shown = _fix(shown, request)
    _print(shown, request)
    if not graph.workflows:  # the rules still ran (some need no batch); the path may be wrong
        from batch2flow.terminal import nothing_found

        click.echo(f"batch2flow lint: {nothing_found(request.paths, graph.files_read)}", err=True)
    return EXIT_FOUND if fails(shown, settings.fail_on) else 0


def _fix(shown: list[Finding], request: LintRequest) -> list[Finding]:
    """Apply (or with --diff, show) the certain fixes; what is left to report."""
    from batch2flow.lint.fixes import plan_fixes, unified_diff, write_fixes
    from batch2flow.terminal import visible

    planned = plan_fixes(shown, request.paths)
    if request.show_diff:
        click.echo(unified_diff(planned), nl=False)
        return shown
    write_fixes(planned)
    fixed = {f for item in planned for f in item.fixed}
    for item in planned:
        click.echo(f"fixed {len(item.fixed)} in {visible(str(item.path))}", err=True)
    return [f for f in shown if f not in fixed]


def _print(shown: list[Finding], request: LintRequest) -> None:
    from batch2flow.lint import files, formats

    roots = request.paths
    if request.output_format == "json":
        click.echo(formats.to_json(shown), nl=False)
    elif request.output_format == "github":
        click.echo(formats.to_github(shown, lambda f: files.shown(f, roots)), nl=False)
    elif request.output_format == "sarif":
        from batch2flow.lint.registry import all_rules
        from batch2flow.lint.sarif import to_sarif

        click.echo(to_sarif(shown, all_rules(), lambda f: files.shown(f, roots)), nl=False)
    else:
        text = formats.to_text(shown, lambda f, line: files.source_line(f, line, roots))
        click.echo(text, nl=False, err=True)
