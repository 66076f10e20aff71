"""The `convert` pipeline: graph -> flow plans -> files, every flow checked before it is kept."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePosixPath, PureWindowsPath

from batch2flow import diagnostics as diag
from batch2flow.codegen.plan import FlowPlan
from batch2flow.codegen.planner import plan_flow, plan_outline
from batch2flow.codegen.readback import check_flow
from batch2flow.codegen.render import render_flow
from batch2flow.codegen.ruby_flow import render_ruby_flow
from batch2flow.codegen.ruby_flow_plan import plan_ruby_flow, ruby_flow_diagnostics
from batch2flow.diagnostics import Diagnostic, make
from batch2flow.graph import Settings, build_graph
from batch2flow.ir import Graph, Span, Worker, Workflow
from batch2flow.scanner import DEFAULT_MAX_BYTES

#: ruby (the default): every Ruby method (starter, jobs, callbacks) runs in Ruby through the
#: bridge and the flow submits what that Ruby planned; translated: jobs run in Ruby through
#: the bridge, the orchestrating Ruby is translated to Python (for reading it, and for
#: `rehearse` without Ruby); stub: translated, with tasks that hold the Ruby perform to port
TASK_MODES = ("ruby", "translated", "stub")


@dataclass(frozen=True)
class Conversion:
    graph: Graph
    plans: tuple[FlowPlan, ...]
    #: output path (posix, relative to the output folder) -> content, unstamped
    files: dict[str, str]
    diagnostics: tuple[Diagnostic, ...]


def convert(paths: list[str], tasks: str = "ruby", max_bytes: int = DEFAULT_MAX_BYTES,
            settings: Settings | None = None) -> Conversion:
    if tasks not in TASK_MODES:
        raise ValueError(f"tasks must be one of {', '.join(TASK_MODES)}, not {tasks!r}")
    graph = build_graph(paths, max_bytes, settings or Settings())
    workers: dict[str, Worker] = {w.name: w for w in graph.workers}
    params_of = {wf.name: wf.params for wf in graph.workflows}
    by_name = {wf.name: wf for wf in graph.workflows}
    plans: list[FlowPlan] = []
    files: dict[str, str] = {}
    too_deep: list[Diagnostic] = []
    for workflow in graph.workflows:
        try:
            if tasks == "ruby":
                # no translated flow is written: its outline names the flow function and its
                # defaults; its body, read back, would only cost time, and a chain of callbacks
                # nests a level deeper each step, past what Python parses
                plan = plan_outline(workflow, workers, params_of)
                ruby_flow = plan_ruby_flow(workflow, by_name, workers, plan.function, plan.defaults)
                source = render_ruby_flow(ruby_flow)
            else:
                plan = plan_flow(workflow, workers, params_of, stub_tasks=tasks == "stub")
                source = render_flow(plan)
                check_flow(source, workflow, dict(plan.variables), dict(plan.task_names))
        except RecursionError:  # a chain of hundreds of callbacks, each inside the last
            too_deep.append(_too_deep(workflow))
            continue
        plans.append(plan)
        files[f"flows/{workflow.name}.py"] = source
        files[f"diagrams/{workflow.name}.md"] = _diagram(graph, workflow.name)
    if too_deep:  # the graph keeps them; no file speaks of a flow that was not written
        written = {plan.workflow for plan in plans}
        graph = replace(graph, workflows=tuple(w for w in graph.workflows if w.name in written))
    files["prefect.yaml"], deploying = _deployments(graph, plans, entry_points_only=tasks == "ruby")
    files["MIGRATION.md"] = _migration(graph, plans, tasks == "ruby")
    # the translating planner's findings (untranslated Ruby, work the flow does not run) do
    # not hold where every Ruby method runs in Ruby
    if tasks == "ruby":
        translated = [d for workflow in graph.workflows for d in ruby_flow_diagnostics(workflow, workers)]
    else:
        translated = [d for plan in plans for d in plan.diagnostics]
    found = list(graph.diagnostics) + translated + deploying + too_deep
    return Conversion(graph, tuple(plans), files, tuple(sorted(set(found))))


def _too_deep(workflow: Workflow) -> Diagnostic:
    return diag.make(diag.WORKFLOW_TOO_LARGE, workflow.entry.file, workflow.entry.line, workflow.entry.col,
                     f"workflow {workflow.name} nests callbacks too deeply to write as a flow; "
                     "no flow was written for it")


def _diagram(graph: Graph, name: str) -> str:
    from batch2flow.render.mermaid import render_mermaid

    one = Graph(tuple(w for w in graph.workflows if w.name == name), graph.workers, ())
    return render_mermaid(one)


def _deployments(graph: Graph, plans: list[FlowPlan],
                 entry_points_only: bool) -> tuple[str, list[Diagnostic]]:
    """A deployment per workflow; with `entry_points_only` (the Ruby-computes flows, which
    follow a started step in the same flow run), none for a step only workflows start. And
    a B2F212 for each queue or starter file whose text Prefect would expand."""
    from batch2flow.deployment import DeploymentSpec, render_prefect_yaml

    queues = {w.name: w.queue for w in graph.workers}
    found: list[Diagnostic] = []
    # Sidekiq Enterprise periodic jobs: worker class -> cron; a worker starter is `Klass#perform`
    schedules = dict(graph.schedules)
    specs = []
    for workflow, plan in zip(graph.workflows, plans, strict=True):
        if entry_points_only and not workflow.entry_point:
            continue
        first_queue = next((queues[j.worker] for j in workflow.jobs if queues.get(j.worker)), None)
        description = f"Sidekiq workflow started by {workflow.starter} ({_portable(workflow.entry)})"
        found += _templated(graph, workflow, first_queue, description)
        specs.append(DeploymentSpec(
            name=workflow.name,
            entrypoint=f"flows/{workflow.name}.py:{plan.function}",
            description=description,
            # the flow's signature holds the Ruby's literal defaults; a required one has none
            parameters={},
            tags=("batch2flow", "sidekiq"),
            work_queue_name=first_queue,
            cron=schedules.get(workflow.starter.split("#")[0]),
        ))
    return render_prefect_yaml("batch2flow-flows", specs), found


def _templated(graph: Graph, workflow: Workflow, queue: str | None, description: str) -> list[Diagnostic]:
    """Where text that prefect.yaml holds changed (see deployment.literal) comes from."""
    from batch2flow.deployment import PLACEHOLDER

    found = []
    if queue is not None and PLACEHOLDER.search(queue):
        worker = next(w for w in graph.workers if w.queue == queue)
        found.append(_template_note(worker.span, f"queue {queue!r} of {worker.name}", "work queue"))
    if PLACEHOLDER.search(description):
        found.append(_template_note(workflow.entry, f"the file name {workflow.entry.file!r}",
                                    f"description of deployment {workflow.name}"))
    return found


def _template_note(span: Span, what: str, where: str) -> Diagnostic:
    return make(diag.PREFECT_TEMPLATE_TEXT, span.file, span.line, span.col,
                f"{what} reads as a template to `prefect deploy` (which has no escape for it): "
                f"prefect.yaml's {where} has it with a space after the first brace, `{{ {{`",
                help="Prefect would put an environment variable, a Prefect variable or a block there")


def _portable(span: Span) -> str:
    """`file:line`, without the folders of a file given to `convert` by its absolute path:
    prefect.yaml names no place on the machine that converted it."""
    path = span.file
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute():
        path = PureWindowsPath(path).name  # splits at a slash and a backslash alike
    return f"{path}:{span.line}"


def _migration(graph: Graph, plans: list[FlowPlan], ruby_computes: bool) -> str:
    from batch2flow.migration import render_migration

    return render_migration(graph, plans, ruby_computes)
