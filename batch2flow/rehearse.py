"""`batch2flow rehearse`: run every generated flow under real Prefect with simulated jobs.

Nothing reaches Sidekiq: the flows are written to a temporary folder, imported, and
run one after another against an ephemeral Prefect API while the runtime is in
rehearsal mode (every job simulated; `--fail` workers fail after their retries,
with no waiting). Prefect itself is imported here only, so the rest of the CLI does
not pay for it.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from batch2flow.convert import Conversion

Event = dict[str, object]


@dataclass
class FlowOutcome:
    workflow: str
    #: Prefect's final state name of the flow run: Completed, Failed, ...
    state: str
    message: str


@dataclass
class RehearsalReport:
    outcomes: list[FlowOutcome] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    started: list[Event] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def rehearse(conversion: Conversion, fail: set[str], trace: Callable[[Event], None] | None,
             job_seconds: float = 0.02) -> RehearsalReport:
    from batch2flow.runtime import rehearsal

    report = RehearsalReport()
    with tempfile.TemporaryDirectory(prefix="batch2flow-rehearse-") as tmp, _prefect():
        modules = _write_and_import(conversion, Path(tmp))
        with rehearsal(fail=fail, trace=trace, job_seconds=job_seconds) as current:
            for plan in conversion.plans:
                flow = getattr(modules[plan.workflow], plan.function)
                state = flow(**{param: None for param in plan.params}, return_state=True)
                report.outcomes.append(FlowOutcome(plan.workflow, state.name, state.message or ""))
        report.events, report.started, report.notes = current.events, current.started, current.notes
    return report


@contextmanager
def _prefect() -> Iterator[None]:
    """A throwaway Prefect API for this run, heartbeats off, quiet logs."""
    from prefect.settings import temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    quiet = {"flows.heartbeat_frequency": None, "logging.level": "WARNING"}
    with prefect_test_harness(), temporary_settings(quiet):
        yield


def _write_and_import(conversion: Conversion, folder: Path) -> dict[str, ModuleType]:
    modules: dict[str, ModuleType] = {}
    for plan in conversion.plans:
        path = folder / f"{plan.workflow}.py"
        path.write_text(conversion.files[f"flows/{plan.workflow}.py"], encoding="utf-8")
        name = f"batch2flow_rehearsal_{plan.workflow}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _no_retry_waits(module)
        modules[plan.workflow] = module
    return modules


def _no_retry_waits(module: ModuleType) -> None:
    """Retries still happen (a `--fail` job fails after them), but without Sidekiq's backoff."""
    from prefect import Task

    for name, value in list(vars(module).items()):
        if isinstance(value, Task):
            patched: Any = value.with_options(retry_delay_seconds=0)
            setattr(module, name, patched)


def timeline(report: RehearsalReport) -> str:
    """What happened, in time order, for a person."""
    lines: list[str] = []
    for outcome in report.outcomes:
        lines.append(f"flow {outcome.workflow}: {outcome.state}"
                     + (f" ({outcome.message})" if outcome.message else ""))
        for event in report.events:
            if event["flow"] == outcome.workflow:
                lines.append(f"  {event['t']:>8.3f}s  {str(event['event']):<5}  {event['worker']}")
        for started in report.started:
            lines.append(f"  starts workflow {started['workflow']} (not run in a rehearsal)")
    for note in report.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"
