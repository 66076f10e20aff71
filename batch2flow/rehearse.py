"""`batch2flow rehearse`: run every generated flow under real Prefect with simulated jobs.

Nothing reaches Sidekiq: the flows are written to a temporary folder, imported, and
run one after another against an ephemeral Prefect API while the runtime is in
rehearsal mode (every job simulated; `--fail` workers die at once, as after their last
Sidekiq retry: generated tasks have no Prefect retries). Prefect itself is imported
here only, so the rest of the CLI does not pay for it.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from batch2flow.convert import Conversion
from batch2flow.ir import Graph
from batch2flow.terminal import visible

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
    #: when each flow run began: `{"flow": name, "t": seconds}`, on the events' clock
    flow_starts: list[Event] = field(default_factory=list)
    #: when each callback fired: `{"callback": "Klass#method", "event", "t", "flow"}`
    callbacks: list[Event] = field(default_factory=list)


def rehearse(conversion: Conversion, fail: set[str], trace: Callable[[Event], None] | None,
             job_seconds: float = 0.02) -> RehearsalReport:
    """Start a throwaway Prefect API and run the flow of every entry point of `conversion`
    against it, following each chain: a workflow a run starts runs next, with the
    parameters it was started with (so a step started from a callback runs only when that
    callback ran)."""
    entries = {wf.name for wf in conversion.graph.workflows if wf.entry_point}
    with tempfile.TemporaryDirectory(prefix="batch2flow-rehearse-") as tmp, throwaway_prefect_api():
        return run_flows(conversion, Path(tmp), fail, trace, job_seconds, only=entries, follow=True)


def run_flows(conversion: Conversion, folder: Path, fail: set[str],
              trace: Callable[[Event], None] | None, job_seconds: float = 0.02,
              parameters: dict[str, dict[str, object]] | None = None,
              only: set[str] | None = None, durations: Mapping[str, float] | None = None,
              follow: bool = False) -> RehearsalReport:
    """Run every flow (or those named in `only`) in rehearsal mode against the Prefect
    API already configured. `parameters` gives a workflow's flow parameters; others are None.
    `durations` gives some workers' simulated jobs a time of their own (seconds). With
    `follow`, each workflow a run starts runs next, once, with the parameters it was
    started with, on the same clock."""
    from batch2flow.runtime import rehearsal

    report = RehearsalReport()
    modules = import_flows(conversion, folder)
    plans = {plan.workflow: plan for plan in conversion.plans}
    todo = [(plan.workflow, (parameters or {}).get(plan.workflow, {})) for plan in conversion.plans
            if only is None or plan.workflow in only]
    ran: set[str] = set()
    with rehearsal(fail=fail, trace=trace, job_seconds=job_seconds, durations=durations) as current:
        while todo:
            name, given = todo.pop(0)
            plan = plans[name]
            ran.add(name)
            seen = len(current.started)
            flow = getattr(modules[plan.workflow], plan.function)
            # a parameter with a default keeps it unless given; the others are None
            defaults = dict(plan.defaults)
            values = {param: given.get(param, defaults.get(param)) for param in plan.params}
            state = flow(**values, return_state=True)
            report.outcomes.append(FlowOutcome(plan.workflow, state.name, state.message or ""))
            if follow:  # each workflow once: a chain that starts itself again is not run forever
                todo += [(str(s["workflow"]), dict(s.get("parameters") or {}))  # type: ignore[call-overload]
                         for s in current.started[seen:]
                         if s["workflow"] in plans and s["workflow"] not in ran]
    report.events, report.started, report.notes = current.events, current.started, current.notes
    report.flow_starts, report.callbacks = current.flow_starts, current.callbacks
    return report


@contextmanager
def throwaway_prefect_api() -> Iterator[None]:
    """A throwaway Prefect API for rehearsals: no heartbeats, no telemetry, and no log
    output (a failing job is the point of a rehearsal; the timeline reports it)."""
    from prefect.settings import temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    settings = {
        "flows.heartbeat_frequency": None,
        "server.analytics_enabled": False,
        "logging.to_api.enabled": False,
        # read when Prefect sets its logging up, at the first flow run
        "logging.level": "CRITICAL",
        # the API runs in a subprocess, which hears settings, not our loggers
        "server.logging_level": "CRITICAL",
        # The recorder copies every task state change into the API's SQLite file. Nobody
        # reads task runs back from a throwaway API, and its writes hold the database lock
        # while each tagged task asks the API for a concurrency slot: with it on, a
        # six-job flow usually took 4-12 s instead of 0.3-1 s (measured on 2 cores).
        "server.services.task_run_recorder.enabled": False,
        # the same for events: nothing reads them back, and every state change makes some
        "server.services.event_persister.enabled": False,
    }
    with temporary_settings(settings), prefect_test_harness(), temporary_settings(settings):
        yield


def import_flows(conversion: Conversion, folder: Path) -> dict[str, ModuleType]:
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
        modules[plan.workflow] = module
    return modules


def timeline(report: RehearsalReport, graph: Graph) -> str:
    """What happened, in time order, for a person; then, for each job that never started
    and each workflow not started, why."""
    from batch2flow.never_started import never_started

    workflows = {wf.name: wf for wf in graph.workflows}
    lines: list[str] = []
    for outcome in report.outcomes:
        lines.append(f"flow {outcome.workflow}: {outcome.state}"
                     + (f" ({outcome.message})" if outcome.message else ""))
        events = [event for event in report.events if event["flow"] == outcome.workflow]
        starts = [s for s in report.started if s.get("flow") == outcome.workflow]
        happened = [(float(e["t"]), f"{str(e['event']):<5}  {e['worker']}") for e in events]  # type: ignore[arg-type]
        happened += [(float(c["t"]), f"fired  callback {c['callback']} (on {c['event']})")  # type: ignore[arg-type]
                     for c in report.callbacks if c["flow"] == outcome.workflow]
        happened += [(float(s["t"]), f"start  workflow {s['workflow']}") for s in starts]  # type: ignore[arg-type]
        # one clock: a callback between the jobs it waited for and those it enqueued
        lines += [f"  {t:>8.3f}s  {text}" for t, text in sorted(happened, key=lambda pair: pair[0])]
        wf = workflows.get(outcome.workflow)
        if wf is not None:
            idle = never_started(wf, events, [str(s["workflow"]) for s in starts])
            lines += [f"  never started  {what}: {why}" for what, why in idle]
    for note in report.notes:
        lines.append(f"note: {note}")
    # worker names and notes come from the Ruby: shown, never run by a terminal
    return "\n".join(visible(line) for line in lines) + "\n"
