"""Command line: the only stage that prints or exits.

Heavy modules (tree-sitter, renderers) are imported inside the commands so that
`batch2flow --help` starts fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click

from batch2flow import __version__
from batch2flow.diagnostics import Diagnostic, has_errors

MAIN_HELP = """Read Sidekiq Batch workflows from a Rails tree and turn them into Prefect flows.

\b
  batch2flow graph app/workers                 the workflows as an indented tree
  batch2flow graph app --format mermaid        one Mermaid flowchart per workflow
  batch2flow graph app --format json           the graph for tools (version 1)
"""

GRAPH_HELP = """Follow the Sidekiq Batch callback chains under PATH... into workflow graphs.

Exit status: 0 when no error was found, 1 when some diagnostic is an error
(syntax errors, unknown batch events, unreadable files), 2 for usage errors.
"""

EXIT_ERRORS = 1
EXIT_INTERNAL = 3


@click.group(help=MAIN_HELP)
@click.version_option(__version__, prog_name="batch2flow")
def main() -> None:
    pass


@main.command(help=GRAPH_HELP)
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=True, dir_okay=True))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "mermaid"]),
              default="text", show_default=True, help="How to print the graph.")
@click.option("--max-file-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Skip Ruby files larger than this (default 2 MiB).")
def graph(paths: tuple[str, ...], output_format: str, max_file_size: int | None) -> None:
    from batch2flow.graph import build_graph
    from batch2flow.scanner import DEFAULT_MAX_BYTES

    try:
        result = build_graph(list(paths), max_file_size or DEFAULT_MAX_BYTES)
        rendered = _render(result, output_format)
    except Exception:  # a bug of ours must still not reach the user as a bare traceback
        _internal_error()
        return
    click.echo(rendered, nl=False)
    if output_format == "mermaid":
        _print_diagnostics(list(result.diagnostics), paths)
    sys.exit(EXIT_ERRORS if has_errors(list(result.diagnostics)) else 0)


def _render(result: object, output_format: str) -> str:
    from batch2flow.ir import Graph

    assert isinstance(result, Graph)
    if output_format == "json":
        from batch2flow.render.json_format import render_json

        return render_json(result)
    if output_format == "mermaid":
        from batch2flow.render.mermaid import render_mermaid

        return render_mermaid(result)
    from batch2flow.render.text import render_text

    return render_text(result)


def _print_diagnostics(found: list[Diagnostic], paths: tuple[str, ...]) -> None:
    for diagnostic in found:
        click.echo(diagnostic.format(_source_line(diagnostic, paths)), err=True)


def _source_line(diagnostic: Diagnostic, paths: tuple[str, ...]) -> str | None:
    """The line a diagnostic points at, for the caret; None when it cannot be read."""
    for root in paths:
        base = Path(root)
        candidate = base if base.is_file() else base / diagnostic.file
        if candidate.is_file() and (base.is_dir() or str(base) == diagnostic.file):
            try:
                lines = candidate.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                return None
            return lines[diagnostic.line - 1] if 0 < diagnostic.line <= len(lines) else None
    return None


def _internal_error() -> None:
    error = sys.exc_info()[1]
    click.echo(f"batch2flow: internal error: {type(error).__name__}: {error}", err=True)
    if os.environ.get("BATCH2FLOW_DEBUG"):
        click.echo(traceback.format_exc(), err=True)
    else:
        click.echo("This is a bug in batch2flow; rerun with BATCH2FLOW_DEBUG=1 and report "
                   "what it prints.", err=True)
    sys.exit(EXIT_INTERNAL)
