"""What the Ruby bridge lets a flow run, from the same Graph the flows are made of.

Workers: the worker classes the workflows enqueue (placeholders left out: no class is
known), and starter classes that are Sidekiq workers themselves. Callbacks: each
`Klass#method` target with the events it is registered for. Starters: each workflow's
`Klass.method` / `Klass#method`. Recorded starts: the workflows whose starter the bridge
cannot call (a controller action, a rake task, a script), which the app starts with
`Batch2flow.start_flow(name) { ... }`. Sorted, so the file is the same for the same graph.
"""

from __future__ import annotations

from batch2flow.codegen.ruby_flow_plan import starter_callable
from batch2flow.ir import Graph

APP_ROOT_NOTE = (
    "call sites are relative to app_root, the folder batch2flow read the app from; a "
    "relative app_root is taken from the Rails root (or the current folder); "
    "BATCH2FLOW_APP_ROOT overrides it"
)


def bridge_allowlist(graph: Graph, app_root: str | None) -> dict[str, object]:
    """The allowlist.json document; `app_root` is the scanned folder as given, or None."""
    defined = {worker.name for worker in graph.workers}
    workers = {job.worker for wf in graph.workflows for job in wf.jobs if not job.placeholder}
    starter_classes = {wf.starter.split("#")[0] for wf in graph.workflows if "#" in wf.starter}
    workers |= starter_classes & defined
    callbacks: dict[str, set[str]] = {}
    for workflow in graph.workflows:
        for callback in workflow.callbacks:
            if not callback.placeholder and callback.target:
                callbacks.setdefault(callback.target, set()).add(callback.event)
    return {
        "protocol": 1,
        "app_root": app_root,
        "app_root_note": APP_ROOT_NOTE,
        "workers": sorted(workers),
        "callbacks": {target: sorted(events) for target, events in sorted(callbacks.items())},
        "starters": sorted({wf.starter for wf in graph.workflows}),
        "recorded_starts": sorted(wf.name for wf in graph.workflows if not starter_callable(wf)),
    }
