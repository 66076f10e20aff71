"""The `--format json` document: the stable version-1 shape of shared/contracts.md.

Tools read this, so keys are never renamed or dropped, only added; the extensions
(`workers`, and per workflow `starter`, `params`, `batches`, `callbacks`, `starts`,
and `raises` where the Ruby raises) come after the contract's keys. Key order is fixed
by construction, not sorted, so the contract's fields lead every object a person opens.
"""

from __future__ import annotations

from batch2flow import terminal
from batch2flow.ir import Batch, Callback, Edge, Graph, Job, Loop, Raise, Span, Start, Worker, Workflow

#: bumped only when a field is renamed or dropped; additions keep it
VERSION = 1

JsonObject = dict[str, object]


def render_json(graph: Graph) -> str:
    """The whole graph as one JSON document, ending in a newline."""
    document: JsonObject = {
        "version": VERSION,
        "workflows": [_workflow(wf) for wf in graph.workflows],
        "diagnostics": [d.to_json() for d in graph.diagnostics],
        "workers": [_worker(w) for w in graph.workers],
    }
    return terminal.json_text(document)


def _place(span: Span) -> JsonObject:
    # the contract exposes file and line only; col stays in the IR for diagnostics
    return {"file": span.file, "line": span.line}


def _workflow(wf: Workflow) -> JsonObject:
    return {
        "name": wf.name,
        "entry": _place(wf.entry),
        "jobs": [_job(job) for job in wf.jobs],
        "edges": [_edge(edge) for edge in wf.edges],
        "starter": wf.starter,
        "params": list(wf.params),
        "batches": [_batch(batch) for batch in wf.batches],
        "callbacks": [_callback(cb) for cb in wf.callbacks],
        "starts": [_start(start) for start in wf.starts],
        # False for a step only other workflows start: it runs in their flow runs
        "entry_point": wf.entry_point,
        # only where the Ruby raises (an unknown batch event), so other workflows read as before
        **({"raises": [_raise(raised) for raised in wf.raises]} if wf.raises else {}),
    }


def _job(job: Job) -> JsonObject:
    return {
        "id": job.id,
        "worker": job.worker,
        **_place(job.span),
        "fan_out": job.fan_out,
        "via": job.via,
        "batch": job.batch,
        "condition": job.condition,
        "spawned_by": job.spawned_by,
        "placeholder": job.placeholder,
        "args": list(job.args),
        "delay": job.delay,
        "loop": None if job.loop is None else _loop(job.loop),
    }


def _loop(loop: Loop) -> JsonObject:
    return {"method": loop.method, "items": loop.items, "variables": list(loop.variables)}


def _edge(edge: Edge) -> JsonObject:
    out: JsonObject = {"from": edge.source, "to": edge.target, "on": edge.on}
    # optional keys stay absent when unset so plain edges look exactly like the contract's
    if edge.condition is not None:
        out["condition"] = edge.condition
    if edge.loop:
        out["loop"] = True
    return out


def _batch(batch: Batch) -> JsonObject:
    out: JsonObject = {
        "id": batch.id,
        **_place(batch.span),
        "parent": batch.parent,
        "description": batch.description,
        "callback_queue": batch.callback_queue,
        "created_by": batch.created_by,
    }
    if batch.loop is not None:  # one batch per item of this loop; absent for a plain batch
        out["loop"] = _loop(batch.loop)
    return out


def _callback(cb: Callback) -> JsonObject:
    return {
        "id": cb.id,
        "batch": cb.batch,
        "event": cb.event,
        "target": cb.target,
        **_place(cb.span),
        "options": cb.options,
        "condition": cb.condition,
        "placeholder": cb.placeholder,
        "method": None if cb.method_span is None else _place(cb.method_span),
        "repeats": cb.repeats,
        "registered_by": cb.registered_by,
    }


def _start(start: Start) -> JsonObject:
    return {
        "id": start.id,
        "workflow": start.workflow,
        **_place(start.span),
        "spawned_by": start.spawned_by,
        "condition": start.condition,
        "restart": start.restart,
        "args": list(start.args),
    }


def _raise(raised: Raise) -> JsonObject:
    return {
        "id": raised.id,
        "error": raised.error,
        **_place(raised.span),
        "raised_by": raised.raised_by,
        "condition": raised.condition,
        "ruby": raised.ruby,
    }


def _worker(worker: Worker) -> JsonObject:
    return {
        "name": worker.name,
        "kind": worker.kind,
        **_place(worker.span),
        "perform_params": list(worker.perform_params),
        "queue": worker.queue,
        "retry": worker.retry,
        "perform_kinds": list(worker.perform_kinds),
    }
