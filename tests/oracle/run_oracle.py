"""Run a Ruby Sidekiq Batch workflow for real and read back what happened.

The oracle (`oracle.rb` next to this file) loads a Rails-like tree under real
Sidekiq (OSS, in testing fake mode) with a reimplementation of the Sidekiq Pro
Batch API, calls one starter, runs every job and callback it leads to, and
reports each job's causal set: the jobs known to have finished before it could
start. Tests compare that with what batch2flow predicts statically.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ORACLE_RB = Path(__file__).with_name("oracle.rb")
TIMEOUT_SECONDS = 60

#: what the values nobody gave are in a run: stand-ins (truthy objects), or nil, with
#: false for every predicate asked of a stand-in (see lib/stand_ins.rb)
StandIns = Literal["truthy", "falsy"]


class OracleError(RuntimeError):
    """The oracle could not run, or printed something that is not its report."""


@dataclass(frozen=True)
class OracleJob:
    #: push order, from 1
    id: int
    #: job class, fully qualified without a leading `::` (the ActiveJob class for perform_later)
    worker: str
    #: Sidekiq queue it was pushed to
    queue: str
    #: bid of the batch it belongs to, None outside any batch
    batch: str | None
    #: "succeeded", "died", or "pending" when the run was truncated before it ran
    state: str
    #: "ErrorClass: message" of a job that died
    error: str | None
    #: ids of the jobs that finished before it could start
    after: frozenset[int]


@dataclass(frozen=True)
class OracleCallback:
    #: bid of the batch whose callback it is
    batch: str
    #: "success", "complete" or "death"
    event: str
    #: "Klass#method" that was (or would be) called
    target: str
    #: ids of the jobs that finished before it could start
    after: frozenset[int]
    #: "ErrorClass: message" when the callback raised (an unknown target, say)
    error: str | None
    #: False when the run was truncated before it ran
    ran: bool


@dataclass(frozen=True)
class OracleBatch:
    #: "b-1", "b-2", ... in creation order
    bid: str
    #: bid of the parent batch, None for an outermost batch
    parent: str | None
    #: what `description=` set
    description: str | None


@dataclass(frozen=True)
class OracleRun:
    #: every pushed job, in push order
    jobs: tuple[OracleJob, ...]
    #: every callback that fired, in the order it was scheduled
    callbacks: tuple[OracleCallback, ...]
    #: every batch created
    batches: tuple[OracleBatch, ...]
    #: "path: message" of each file that could not be loaded
    load_errors: tuple[str, ...]
    #: True when the run stopped at 300 jobs or 300 callbacks
    truncated: bool
    #: "ErrorClass: message" when the starter raised (what it pushed before still ran)
    starter_error: str | None

    def workers_run(self) -> set[str]:
        """Workers with a job that ran (succeeded or died)."""
        return {job.worker for job in self.jobs if job.state != "pending"}

    def ordered_pairs(self) -> set[tuple[str, str]]:
        """(A, B) for each B job with some A job in its causal set: A happened before B."""
        by_id = {job.id: job for job in self.jobs}
        return {(by_id[earlier].worker, job.worker) for job in self.jobs for earlier in job.after}

    def jobs_of(self, worker: str) -> list[OracleJob]:
        return [job for job in self.jobs if job.worker == worker]

    def died(self) -> list[OracleJob]:
        return [job for job in self.jobs if job.state == "died"]

    def callbacks_of(self, event: str) -> list[OracleCallback]:
        return [callback for callback in self.callbacks if callback.event == event]


def observe(
    root: Path | None,
    starter: str,
    fail: Iterable[str] = (),
    *,
    source: Path | None = None,
    arguments: Mapping[str, object] | None = None,
    stand_ins: StandIns = "truthy",
) -> OracleRun:
    """Run `starter` from the tree at `root` (and/or the single file `source`) under Sidekiq.

    Workers named in `fail` die at once, without retries. `arguments` gives starter
    parameters by name (JSON values, as a flow gets its parameters); the others get
    stand-ins, or nil when `stand_ins` is "falsy". Runs go to one Ruby process per
    test process (`oracle.rb --serve`), which forks a child per run: Ruby and
    Sidekiq start once, and no class a workflow defines outlives its run.
    """
    request = {
        "root": str(root) if root is not None else None,
        "starter": starter,
        "fail": list(fail),
        "sources": [str(source)] if source is not None else [],
        "arguments": dict(arguments or {}),
        "stand_ins": stand_ins,
    }
    return _run(_server().ask(request))


def _ruby() -> str:
    ruby = shutil.which("ruby")
    if ruby is None:
        raise OracleError("ruby is not installed: the oracle needs Ruby 3 and Sidekiq 6 (apt ruby-sidekiq)")
    return ruby


class OracleServer:
    """`oracle.rb --serve`: one JSON request per line in, one JSON answer per line out."""

    def __init__(self) -> None:
        # the server's own stderr, read back when it dies; a file rather than a pipe,
        # which would fill up and block the server, kept as long as the server runs
        self._log_fd, self._log_path = tempfile.mkstemp(prefix="oracle-server-", suffix=".log")
        self._process = subprocess.Popen(
            [_ruby(), str(ORACLE_RB), "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log_fd,
        )

    def alive(self) -> bool:
        return self._process.poll() is None

    def ask(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Send one request and read its report; OracleError when the run failed (the
        server goes on), when it timed out (the server is stopped) or the server died."""
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(json.dumps(request).encode() + b"\n")
            stdin.flush()
        except BrokenPipeError as error:
            raise OracleError(f"oracle server stopped: {self._stderr()}") from error
        ready, _, _ = select.select([stdout], [], [], TIMEOUT_SECONDS)
        if not ready:
            self.close()
            raise OracleError(f"oracle timed out after {TIMEOUT_SECONDS}s on {request}")
        line = stdout.readline().decode()
        if not line:
            raise OracleError(f"oracle server stopped: {self._stderr()}")
        answer = _json(line)
        if "oracle_error" in answer:
            raise OracleError(f"oracle failed on {request}:\n{answer['oracle_error']}")
        return answer

    def close(self) -> None:
        """Stop the server and drop its log; a second call (at exit, after a timeout) does nothing."""
        if self._process.returncode is not None and self._log_fd < 0:
            return
        if self.alive():
            self._process.kill()
        self._process.wait()
        os.close(self._log_fd)
        os.unlink(self._log_path)
        self._log_fd = -1

    def _stderr(self) -> str:
        return Path(self._log_path).read_text(errors="replace")[-4000:]


_current: OracleServer | None = None


def _server() -> OracleServer:
    """The server of this process, started on first use and again if it stopped."""
    global _current
    if _current is None or not _current.alive():
        _current = OracleServer()
        atexit.register(_current.close)
    return _current


def parse_report(stdout: str) -> OracleRun:
    """The run a report line describes."""
    return _run(_json(stdout))


def _json(line: str) -> dict[str, Any]:
    try:
        document: dict[str, Any] = json.loads(line)
    except json.JSONDecodeError as error:
        raise OracleError(f"oracle printed something that is not JSON: {line[:2000]!r}") from error
    return document


def _run(report: Mapping[str, Any]) -> OracleRun:
    return OracleRun(
        jobs=tuple(_job(item) for item in report["jobs"]),
        callbacks=tuple(_callback(item) for item in report["callbacks"]),
        batches=tuple(_batch(item) for item in report["batches"]),
        load_errors=tuple(report["load_errors"]),
        truncated=bool(report["truncated"]),
        starter_error=report["starter_error"],
    )


def _job(item: Mapping[str, Any]) -> OracleJob:
    return OracleJob(
        id=item["id"],
        worker=item["worker"],
        queue=item["queue"],
        batch=item["batch"],
        state=item["state"],
        error=item["error"],
        after=frozenset(item["after"]),
    )


def _batch(item: Mapping[str, Any]) -> OracleBatch:
    return OracleBatch(bid=item["bid"], parent=item["parent"], description=item["description"])


def _callback(item: Mapping[str, Any]) -> OracleCallback:
    return OracleCallback(
        batch=item["batch"],
        event=item["event"],
        target=item["target"],
        after=frozenset(item["after"]),
        error=item["error"],
        ran=item["ran"],
    )
