"""`review --format json`: the version-1 `review` document of shared/contracts.md."""

from __future__ import annotations

from batch2flow import terminal
from batch2flow.diagnostics import Diagnostic
from batch2flow.review.compare import Review, WorkflowChange
from batch2flow.review.relation import Order

#: bumped only when a field is renamed or dropped
VERSION = 1

JsonObject = dict[str, object]


def render_json(review: Review) -> str:
    document: JsonObject = {
        "version": VERSION,
        "base": review.base,
        "head": review.head,
        "workflows": [_workflow(change) for change in review.workflows],
        "diagnostics_added": [diagnostic_json(d) for d in review.diagnostics_added],
        "diagnostics_fixed": [diagnostic_json(d) for d in review.diagnostics_fixed],
    }
    return terminal.json_text(document)


def diagnostic_json(diagnostic: Diagnostic) -> JsonObject:
    """A diagnostic as `lint --format json` shows one; review applies no fix, so none is
    offered as one."""
    return diagnostic.to_lint_json(fix=False)


def _workflow(change: WorkflowChange) -> JsonObject:
    return {
        "name": change.name,
        "status": change.status,
        "jobs_added": list(change.jobs_added),
        "jobs_removed": list(change.jobs_removed),
        "order_added": [_order(pair) for pair in change.order_added],
        "order_removed": [_order(pair) for pair in change.order_removed],
        "fan_out_changed": [{"worker": worker, "fan_out": fans} for worker, fans in change.fan_out_changed],
    }


def _order(pair: Order) -> JsonObject:
    return {"before": pair.before, "after": pair.after, "on": pair.on}
