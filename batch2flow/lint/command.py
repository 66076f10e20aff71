"""The `lint` and `rule` commands; `cli` registers them. Only this module prints or exits.

Heavy modules (the parser, the analysis) are imported inside the commands so that
`batch2flow --help` starts fast.
"""

from __future__ import annotations

import sys

import click

from batch2flow.cli_run import run_options, run_settings

LINT_HELP = """Check the Sidekiq Batch code under PATH... for mistakes (`batch2flow rule CODE` explains each).

\b
Diagnostics go to stderr as `path:line:col: CODE message`, the source line with a
caret and a `help:` line; --format json|github|sarif prints a document on stdout instead.
Settings come from [tool.batch2flow] of pyproject.toml or from .batch2flow.toml (select,
ignore, fail-on); `# batch2flow: disable=CODE` on a line or the line above silences it.
--fix applies the fixes that are certain to the files they fix; --diff shows them and
writes nothing.

Exit status: 0 when nothing at or above --fail-on (default: warning) was found, 1
otherwise, 2 for usage errors.
"""

RULE_HELP = """Print the documentation of rule CODE (What it does / Why is this bad / Example);
without CODE, list every rule."""

FORMATS = ("text", "json", "github", "sarif")


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())


@click.command("lint", help=LINT_HELP)
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=True, dir_okay=True))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True, help="How to print the diagnostics.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Report only these codes or prefixes (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Do not report these codes or prefixes (comma-separated, repeatable).")
@click.option("--fail-on", type=click.Choice(["info", "warning", "error"]), default=None,
              help="Lowest severity that makes the run exit 1 (default: warning).")
@click.option("--fix", is_flag=True, help="Apply the certain fixes to the files they fix.")
@click.option("--diff", "show_diff", is_flag=True, help="Show the fixes as a diff; write nothing.")
@click.option("--max-file-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Skip Ruby files larger than this (default 2 MiB).")
@run_options
def lint_command(paths: tuple[str, ...], output_format: str, select: tuple[str, ...],
                 ignore: tuple[str, ...], fail_on: str | None, fix: bool, show_diff: bool,
                 max_file_size: int | None, jobs: int | None, no_cache: bool, quiet: bool) -> None:
    from batch2flow.lint.config import ConfigError, LintSettings, find_settings
    from batch2flow.lint.run import LintRequest, run_lint

    if show_diff and output_format != "text":
        raise click.UsageError("--diff prints a diff on stdout: use it with --format text")
    try:
        settings = find_settings(list(paths))
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    settings = LintSettings(_codes(select) or settings.select, _codes(ignore) or settings.ignore,
                            fail_on or settings.fail_on, settings.source)
    request = LintRequest(paths=list(paths), output_format=output_format, settings=settings, fix=fix,
                          show_diff=show_diff, max_file_size=max_file_size,
                          run=run_settings(jobs, no_cache, quiet))
    sys.exit(run_lint(request))


@click.command("rule", help=RULE_HELP)
@click.argument("code", required=False)
def rule_command(code: str | None) -> None:
    from batch2flow.lint.registry import all_rules

    rules = all_rules()
    if code is None:
        for known, each in rules.items():
            click.echo(f"{known}  {each.code.severity.value:<7}  {each.code.summary}")
        return
    rule = rules.get(code.strip().upper())
    if rule is None:
        raise click.BadParameter(f"no rule {code}; `batch2flow rule` lists them", param_hint="CODE")
    fixable = "; --fix can fix some" if rule.fixable else ""
    click.echo(f"{rule.code.code} ({rule.code.severity.value}{fixable}): {rule.code.summary}\n")
    click.echo(rule.doc)
    if rule.help:
        click.echo(f"\nhelp: {rule.help}")
