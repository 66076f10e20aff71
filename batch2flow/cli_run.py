"""The options every command that reads a tree shares (-j, --no-cache, --quiet), and the
progress bar they control. Part of the command line: this prints, to stderr only.

The bar shows once a run has taken a second (`BATCH2FLOW_PROGRESS_AFTER`, in seconds,
changes that), and only on a terminal. Nothing heavy is imported here: `batch2flow --help`
loads this module.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

if TYPE_CHECKING:
    from batch2flow.graph import Settings

F = TypeVar("F", bound=Callable[..., Any])
#: a run shorter than this shows no bar at all
BAR_AFTER_SECONDS = 1.0
_REDRAW_SECONDS = 0.1


@dataclass(frozen=True)
class Printout:
    """All a command prints, as the result cache keeps it (graph.view_of_graph)."""

    stdout: str
    stderr: str
    status: int

    def show(self) -> None:
        """Print it and exit with its status."""
        click.echo(self.stdout, nl=False)
        click.echo(self.stderr, nl=False, err=True)
        sys.exit(self.status)


def run_options(command: F) -> F:
    """-j/--jobs, --no-cache and --quiet, passed to the command as `jobs`, `no_cache`, `quiet`."""
    for option in reversed((
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                     help="Processes reading the files (default: every core)."),
        click.option("--no-cache", is_flag=True,
                     help="Neither read nor write the result cache (BATCH2FLOW_CACHE_DIR, "
                          "default ~/.cache/batch2flow; BATCH2FLOW_NO_CACHE=1 turns it off)."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
    )):
        command = option(command)
    return command


def run_settings(jobs: int | None, no_cache: bool, quiet: bool, stream: TextIO | None = None) -> Settings:
    from batch2flow import cache
    from batch2flow.graph import Settings
    from batch2flow.reading import default_jobs

    out = sys.stderr if stream is None else stream
    bar = None if quiet or not _is_terminal(out) else ProgressBar(out, after=_bar_after())
    return Settings(jobs=jobs or default_jobs(), cache=None if no_cache else cache.default_folder(),
                    progress=bar)


def _bar_after() -> float:
    try:
        return float(os.environ.get("BATCH2FLOW_PROGRESS_AFTER", BAR_AFTER_SECONDS))
    except ValueError:
        return BAR_AFTER_SECONDS


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """`files scanned 1200/5000 [=====     ]` on one line of a terminal, redrawn in place;
    drawn only once the run has taken a second, and erased when the run is done."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic,
                 after: float = BAR_AFTER_SECONDS) -> None:
        self.stream, self.clock, self.after = stream, clock, after
        self.started = clock()
        self.drawn_at: float | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if now - self.started < self.after:
            return
        if done < total and self.drawn_at is not None and now - self.drawn_at < _REDRAW_SECONDS:
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r\x1b[K{stage} {done}/{total} [{'=' * filled}{' ' * (width - filled)}]")
        self.stream.flush()
        self.drawn_at = now

    def close(self) -> None:
        if self.drawn_at is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn_at = None


def finish(settings: Settings) -> None:
    """Erase the bar, if one was drawn, before anything else is printed."""
    if isinstance(settings.progress, ProgressBar):
        settings.progress.close()
