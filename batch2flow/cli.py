"""Command line: the only stage that prints or exits.

Heavy modules (tree-sitter, renderers) are imported inside the commands so that
`batch2flow --help` starts fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from batch2flow import __version__
from batch2flow.cli_run import Printout, finish, run_options, run_settings
from batch2flow.diagnostics import Diagnostic, Severity, has_errors
from batch2flow.lint.command import lint_command, rule_command

if TYPE_CHECKING:  # heavy modules stay out of `batch2flow --help`
    from batch2flow.convert import Conversion
    from batch2flow.ir import Graph
    from batch2flow.writer import FileChange

MAIN_HELP = """Read Sidekiq Batch workflows from a Rails tree and turn them into Prefect flows.

\b
  batch2flow convert app -o prefect_flows      Prefect flows, prefect.yaml, diagrams, MIGRATION.md
  batch2flow rehearse app --fail ChargeWorker  run the flows under Prefect with simulated jobs
  batch2flow rehearse app --sidekiq            ... or with every job and callback in Ruby
  batch2flow bridge app -o lib                 the Ruby side of the Sidekiq bridge
  batch2flow graph app/workers                 the workflows as an indented tree
  batch2flow graph app --format mermaid        one Mermaid flowchart per workflow
  batch2flow graph app --format json           the graph for tools (version 1)
  batch2flow lint app                          check the batch code for mistakes (rule CODE explains)
  batch2flow runtime-wheel -o dist             what the flows import, as a wheel for the worker
  batch2flow review --base origin/main app     how a change alters the workflows (PR comment)
"""

CONVERT_HELP = """Convert the Sidekiq Batch workflows under PATH... into Prefect 3 flows in OUT.

\b
Writes flows/<workflow>.py, diagrams/<workflow>.md, prefect.yaml and MIGRATION.md.
Every file carries a stamp: a generated file you edited (or any file batch2flow did
not write) is never overwritten without --force.

Exit status: 0 when all went well, 1 when some diagnostic is an error or (with
--check) the output would change or files are in the way or PATH holds no workflow
(then nothing is written), 2 for usage errors.
"""

GRAPH_HELP = """Follow the Sidekiq Batch callback chains under PATH... into workflow graphs.

Exit status: 0 when no error was found, 1 when some diagnostic is an error
(syntax errors, unknown batch events, unreadable files), 2 for usage errors.
"""

REHEARSE_HELP = """Convert PATH and run every generated flow under real Prefect, with simulated jobs.

\b
No Sidekiq and no Prefect server are needed: an ephemeral Prefect API is started for
the run. --fail WORKER (repeatable, fully qualified) makes every job of that worker
fail permanently, after its retries, without waiting, so you see which callbacks
still run. --trace FILE writes one JSON line per job event (start, end, fail). A
chain is followed: a workflow a run starts (from a callback) runs next, with the
parameters it was started with, so with a step-1 worker failing, step 2 never runs.

Exit status: 0 when every flow run completed, 1 when one failed or PATH holds no
workflow (then Prefect is not started), 2 for usage errors.
"""

BRIDGE_HELP = """Write the Ruby side of the Sidekiq bridge for the workflows under PATH... into OUT.

\b
Writes batch2flow_bridge.rb, batch2flow_bridge/*.rb (Rack app, Sidekiq middleware,
recorder, allowlist.json made from the same graph as the flows) and config.ru, and
prints the lines for config/routes.rb and config/initializers/sidekiq.rb. Every file
carries a stamp: a file you edited is never overwritten without --force.

Exit status: 0 when all went well, 1 when some diagnostic is an error or files are in
the way or PATH holds no workflow (then nothing is written), 2 for usage errors.
"""

RUNTIME_WHEEL_HELP = """Write the wheel of what the generated flows import into OUT (default dist).

\b
batch2flow_runtime-VERSION-py3-none-any.whl holds batch2flow.runtime and needs Prefect
only: install it on the Prefect worker's image instead of batch2flow with its parser.
Same sources, same bytes. A different file of that name in OUT is never replaced
without --force.

Exit status: 0 when the wheel was written or was already there, 1 when a runtime module
imports something the wheel would not bring or a file is in the way, 2 for usage errors.
"""

REVIEW_HELP = """Compare the workflows under PATH... at two git revisions (default PATH: .).

\b
--base REV is the revision to compare with; --head REV defaults to the work tree
(tracked and untracked, not ignored files). The checkout, index and files are only
read. Relations are between worker classes: a refactor that keeps every order reports
nothing. --format markdown prints a pull-request comment, json the contract's
`review` document, github the new diagnostics as workflow annotations.

Exit status: 0 when the review ran, 1 when the head adds an error-severity
diagnostic, 2 for usage errors (no git repository, an unknown revision).
"""

EXIT_ERRORS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


@click.group(help=MAIN_HELP)
@click.version_option(__version__, prog_name="batch2flow")
def main() -> None:
    pass


main.add_command(lint_command)
main.add_command(rule_command)


@main.command(help=GRAPH_HELP)
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=True, dir_okay=True))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "mermaid"]),
              default="text", show_default=True, help="How to print the graph.")
@click.option("--max-file-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Skip Ruby files larger than this (default 2 MiB).")
@run_options
def graph(paths: tuple[str, ...], output_format: str, max_file_size: int | None, jobs: int | None,
          no_cache: bool, quiet: bool) -> None:
    from batch2flow.graph import view_of_graph
    from batch2flow.scanner import DEFAULT_MAX_BYTES

    settings = run_settings(jobs, no_cache, quiet)
    try:
        printout = view_of_graph(list(paths), max_file_size or DEFAULT_MAX_BYTES, settings,
                                 f"graph --format {output_format}", Printout,
                                 lambda result, _findings: _graph_printout(result, output_format, paths))
    except Exception:  # a bug of ours must still not reach the user as a bare traceback
        finish(settings)
        _internal_error()
        return
    finish(settings)
    printout.show()


def _graph_printout(result: Graph, output_format: str, paths: tuple[str, ...]) -> Printout:
    """What `graph` prints: the document on stdout; on stderr, in every format (the JSON
    document holds them too), the diagnostics, each with its line and caret, so a person
    running it in a terminal sees them and stdout stays the document alone."""
    diagnostics = list(result.diagnostics)
    notes = _diagnostics_text(diagnostics, paths) + _nothing_found_note(result, paths)
    return Printout(_render(result, output_format), notes, EXIT_ERRORS if has_errors(diagnostics) else 0)


def _render(result: Graph, output_format: str) -> str:
    if output_format == "json":
        from batch2flow.render.json_format import render_json

        return render_json(result)
    if output_format == "mermaid":
        from batch2flow.render.mermaid import render_mermaid

        return render_mermaid(result)
    from batch2flow.render.text import render_text

    return render_text(result)


def _print_diagnostics(found: list[Diagnostic], paths: tuple[str, ...]) -> None:
    """On stderr, each with its source line and a caret: stdout is for what was asked."""
    click.echo(_diagnostics_text(found, paths), err=True, nl=False)


def _diagnostics_text(found: list[Diagnostic], paths: tuple[str, ...]) -> str:
    from batch2flow.lint.files import source_lines

    line_of = source_lines(list(paths))
    return "".join(f"{found_one.format(line_of(found_one.file, found_one.line))}\n" for found_one in found)


def _say_if_empty(result: Graph, paths: tuple[str, ...] | list[str]) -> bool:
    """Say on stderr, at once, that PATH holds no workflow; True when it holds none."""
    note = _nothing_found_note(result, paths)
    click.echo(note, err=True, nl=False)
    return bool(note)


def _nothing_found_note(result: Graph, paths: tuple[str, ...] | list[str]) -> str:
    """The line that says PATH holds no workflow, or "" when it holds one."""
    from batch2flow.terminal import nothing_found

    return "" if result.workflows else f"batch2flow: {nothing_found(paths, result.files_read)}\n"


def _internal_error() -> None:
    error = sys.exc_info()[1]
    click.echo(f"batch2flow: internal error: {type(error).__name__}: {error}", err=True)
    if os.environ.get("BATCH2FLOW_DEBUG"):
        click.echo(traceback.format_exc(), err=True)
    else:
        click.echo("This is a bug in batch2flow; rerun with BATCH2FLOW_DEBUG=1 and report "
                   "what it prints.", err=True)
    sys.exit(EXIT_INTERNAL)


@main.command(help=CONVERT_HELP)
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=True, dir_okay=True))
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder to write into.")
@click.option("--tasks", type=click.Choice(["ruby", "translated", "stub"]), default="ruby", show_default=True,
              help="ruby: every Ruby method (starter, jobs, callbacks) runs in Ruby through the "
                   "bridge (batch2flow bridge) and the flow submits what that Ruby planned; "
                   "translated: the jobs run in Ruby, the orchestrating Ruby is translated to "
                   "Python (to read; values it cannot translate are marked); "
                   "stub: translated, with tasks that hold the Ruby perform to port to Python.")
@click.option("--dry-run", is_flag=True, help="List what would be written; write nothing.")
@click.option("--diff", "show_diff", is_flag=True, help="Show a unified diff; write nothing.")
@click.option("--check", is_flag=True, help="Exit 1 when the output would change; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite files that were edited or not written by batch2flow.")
@click.option("--max-file-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Skip Ruby files larger than this (default 2 MiB).")
@run_options
def convert(paths: tuple[str, ...], out_dir: Path, tasks: str, dry_run: bool, show_diff: bool,
            check: bool, force: bool, max_file_size: int | None, jobs: int | None, no_cache: bool,
            quiet: bool) -> None:
    from batch2flow import writer
    from batch2flow.convert import convert as run_conversion
    from batch2flow.scanner import DEFAULT_MAX_BYTES

    settings = run_settings(jobs, no_cache, quiet)
    try:
        result = run_conversion(list(paths), tasks, max_file_size or DEFAULT_MAX_BYTES, settings)
        changes = writer.plan_writes(out_dir, result.files)
    except Exception:  # a bug of ours must still not reach the user as a bare traceback
        finish(settings)
        _internal_error()
        return
    finish(settings)
    _print_diagnostics(list(result.diagnostics), paths)
    if _say_if_empty(result.graph, paths):  # no flows to write: OUT is left as it is
        sys.exit(EXIT_ERRORS)
    if show_diff:
        click.echo(writer.unified_diff(changes), nl=False)
    if dry_run or show_diff or check:
        for change in changes:
            click.echo(change.listing())
        failed = check and writer.needs_writing(changes)
        sys.exit(EXIT_ERRORS if failed or has_errors(list(result.diagnostics)) else 0)
    written = _write(out_dir, changes, force)
    _summary(result, len(written), len(changes) - len(written), tasks == "ruby")
    sys.exit(EXIT_ERRORS if has_errors(list(result.diagnostics)) else 0)


def _write(out_dir: Path, changes: list[FileChange], force: bool) -> list[FileChange]:
    """Write what changed, naming each file; a file in the way ends the run (exit 1)."""
    from batch2flow import writer

    try:
        written = writer.apply(out_dir, changes, force)
    except (writer.WriteRefused, writer.WriteFailed) as refused:
        click.echo(f"batch2flow: {refused}", err=True)
        sys.exit(EXIT_ERRORS)
    for change in written:
        if change.status == "leftover":
            click.echo(f"removed {out_dir / change.path} ({change.note})")
        else:
            click.echo(f"wrote {out_dir / change.path}")
    return [change for change in written if change.status != "leftover"]


def _summary(result: Conversion, written: int, kept: int, in_ruby: bool) -> None:
    from batch2flow.migration import coverage, plural

    found = sum(plan.found for plan in result.plans)
    converted = sum(plan.converted for plan in result.plans)
    nodes = sum(len(wf.jobs) + len(wf.callbacks) for wf in result.graph.workflows)
    how = (f"{plural(nodes, 'job and callback', 'jobs and callbacks')}, all run in Ruby through the bridge"
           if in_ruby else coverage(converted, found))
    click.echo(f"{plural(len(result.plans), 'workflow')}; {how}; {plural(written, 'file')} written, "
               f"{kept} unchanged; {plural(len(result.diagnostics), 'diagnostic')} (see MIGRATION.md)")


@main.command(help=REHEARSE_HELP)
@click.argument("path", type=click.Path(exists=True, file_okay=True, dir_okay=True))
@click.option("--fail", "failing", multiple=True, metavar="WORKER",
              help="A worker whose jobs all fail permanently (repeatable).")
@click.option("--trace", "trace_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the job events as JSON lines here.")
@click.option("--sidekiq", is_flag=True,
              help="Run every job and callback in Ruby: Redis (or REDIS_URL), a Sidekiq process "
                   "loading PATH's Ruby and the generated bridge, on loopback.")
@click.option("--require", "requires", multiple=True, metavar="FILE",
              help="With --sidekiq: the app's boot file (default PATH/config/environment.rb).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="With --sidekiq: a flow parameter (VALUE is read as JSON, else as text).")
def rehearse(path: str, failing: tuple[str, ...], trace_path: Path | None, sidekiq: bool,
             requires: tuple[str, ...], params: tuple[str, ...]) -> None:
    if sidekiq:
        _rehearse_with_sidekiq(path, failing, trace_path, requires, params)
        return

    from importlib.util import find_spec

    from batch2flow.convert import convert as run_conversion

    if find_spec("prefect") is None:  # found, not imported: that waits for a flow to run
        raise click.ClickException(
            "rehearse runs the flows under Prefect: pip install 'batch2flow[prefect]'")
    from batch2flow.rehearse import rehearse as run_rehearsal
    from batch2flow.rehearse import timeline

    try:
        conversion = run_conversion([path], "translated")
    except Exception:
        _internal_error()
        return
    _rehearsable(conversion, failing, path)
    try:
        with _trace_lines(trace_path) as write:
            report = run_rehearsal(conversion, set(failing), write)
    except Exception:
        _internal_error()
        return
    click.echo(timeline(report, conversion.graph), nl=False)
    # as with --sidekiq: a flow run that failed (a --fail worker's, or a bug) is exit 1
    sys.exit(EXIT_ERRORS if any(outcome.state != "Completed" for outcome in report.outcomes) else 0)


def _rehearsable(conversion: Conversion, failing: tuple[str, ...], path: str) -> None:
    """The tree's errors on stderr; with no workflow, say so and exit 1 before anything
    (Prefect, Redis, Sidekiq) is started for nothing."""
    _print_diagnostics([d for d in conversion.graph.diagnostics if d.severity is Severity.ERROR], (path,))
    if _say_if_empty(conversion.graph, [path]):
        sys.exit(EXIT_ERRORS)
    _known_workers(conversion, failing, path)


def _known_workers(conversion: Conversion, failing: tuple[str, ...], path: str) -> None:
    unknown = sorted(set(failing) - {w.name for w in conversion.graph.workers})
    if unknown:
        raise click.BadParameter(f"no such worker in {path}: {', '.join(unknown)}", param_hint="--fail")


@contextmanager
def _trace_lines(trace_path: Path | None) -> Iterator[Callable[[dict[str, object]], None]]:
    """A writer of one JSON line per trace event into `trace_path` (nothing without one)."""
    import json

    if trace_path is None:
        yield lambda event: None
        return
    with trace_path.open("w", encoding="utf-8") as trace_file:
        def write(event: dict[str, object]) -> None:
            trace_file.write(json.dumps(event) + "\n")

        yield write


def _rehearse_with_sidekiq(path: str, failing: tuple[str, ...], trace_path: Path | None,
                           requires: tuple[str, ...], params: tuple[str, ...]) -> None:
    import json

    from batch2flow.convert import convert as run_conversion
    from batch2flow.processes import ServiceFailed
    from batch2flow.rehearse import timeline
    from batch2flow.sidekiq_rehearsal import NotReady, rehearse_with_sidekiq

    values: dict[str, object] = {}
    for item in params:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        try:
            values[name] = json.loads(text)
        except ValueError:
            values[name] = text
    conversion = run_conversion([path], "ruby")
    _rehearsable(conversion, failing, path)
    try:
        with _trace_lines(trace_path) as write:
            report = rehearse_with_sidekiq(conversion, Path(path), list(requires), set(failing), values,
                                           write)
    except (NotReady, ServiceFailed) as missing:
        raise click.ClickException(str(missing)) from None
    click.echo(timeline(report, conversion.graph), nl=False)
    sys.exit(0 if all(o.state == "Completed" for o in report.outcomes) else EXIT_ERRORS)


@main.command(help=BRIDGE_HELP)
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=True, dir_okay=True))
@click.option("-o", "--output", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder to write into.")
@click.option("--dry-run", is_flag=True, help="List what would be written; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite files that were edited or not written by batch2flow.")
def bridge(paths: tuple[str, ...], out_dir: Path, dry_run: bool, force: bool) -> None:
    from batch2flow import writer
    from batch2flow.codegen.bridge_files import INITIALIZER_LINES, MOUNT_LINE, build_bridge
    from batch2flow.codegen.ruby_flow_plan import starter_callable

    try:
        result = build_bridge(list(paths))
        changes = writer.plan_writes(out_dir, result.files)
    except Exception:  # a bug of ours must still not reach the user as a bare traceback
        _internal_error()
        return
    _print_diagnostics(list(result.diagnostics), paths)
    if _say_if_empty(result.graph, paths):  # no workflow to bridge: OUT is left as it is
        sys.exit(EXIT_ERRORS)
    failed = has_errors(list(result.diagnostics))
    if dry_run:
        for change in changes:
            click.echo(change.listing())
        sys.exit(EXIT_ERRORS if failed else 0)
    _write(out_dir, changes, force)
    click.echo(f"\nconfig/routes.rb:\n  {MOUNT_LINE}")
    initializer = "\n  ".join(INITIALIZER_LINES.splitlines())
    click.echo(f"config/initializers/sidekiq.rb (with {out_dir} on the load path):\n  {initializer}")
    for workflow in result.graph.workflows:
        if not starter_callable(workflow):
            click.echo(f"{workflow.entry}: wrap the batch building of {workflow.starter} in "
                       f'Batch2flow.start_flow("{workflow.name}") do ... end (see MIGRATION.md)')
    sys.exit(EXIT_ERRORS if failed else 0)


@main.command("runtime-wheel", help=RUNTIME_WHEEL_HELP)
@click.option("-o", "--output", "out_dir", default="dist", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder to write into.")
@click.option("--force", is_flag=True, help="Replace a different file of the wheel's name.")
def runtime_wheel(out_dir: Path, force: bool) -> None:
    from batch2flow.runtime_wheel import RuntimeWheelError, build_runtime_wheel, wheel_name

    target = out_dir / wheel_name()
    before = target.read_bytes() if target.is_file() else None
    try:
        path = build_runtime_wheel(out_dir, force=force)
    except (RuntimeWheelError, OSError) as failed:
        click.echo(f"batch2flow: {failed}", err=True)
        sys.exit(EXIT_ERRORS)
    if before is not None and before == path.read_bytes():
        click.echo(f"unchanged {path}")
        return
    click.echo(f"wrote {path}")
    click.echo(f"on the Prefect worker's image: pip install {path.name} (it needs Prefect only)")


@main.command(help=REVIEW_HELP)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--base", required=True, metavar="REV", help="The revision to compare with.")
@click.option("--head", default=None, metavar="REV", help="The revision to review (default: the work tree).")
@click.option("--format", "output_format", type=click.Choice(["markdown", "json", "github"]),
              default="markdown", show_default=True, help="How to print the review.")
@click.option("--max-file-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Skip Ruby files larger than this (default 2 MiB).")
def review(paths: tuple[str, ...], base: str, head: str | None, output_format: str,
           max_file_size: int | None) -> None:
    from batch2flow.review.git import ReviewError
    from batch2flow.review.run import exit_code, render
    from batch2flow.review.run import review as run_review
    from batch2flow.scanner import DEFAULT_MAX_BYTES

    try:
        result = run_review(list(paths), base, head, max_file_size or DEFAULT_MAX_BYTES)
        rendered = render(result, output_format)
    except ReviewError as problem:
        click.echo(f"batch2flow: {problem}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception:  # a bug of ours must still not reach the user as a bare traceback
        _internal_error()
        return
    click.echo(rendered, nl=False)
    sys.exit(exit_code(result))
