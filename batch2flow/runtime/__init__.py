"""What generated Prefect flows import: Sidekiq jobs through the bridge, batch semantics,
rehearsal mode and markers for untranslated Ruby.

Importing this package does not import Prefect (the CLI and tests import it cheaply);
Prefect is imported by the functions that need it, and `SidekiqBridge` on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batch2flow.runtime.arguments import OMITTED, bulk_rows, sent_arguments
from batch2flow.runtime.batches import BatchStatus, batch_status, first_death
from batch2flow.runtime.errors import (
    BridgeError,
    BridgeTimeout,
    JobOutcomeUnknown,
    NotEnqueued,
    RubyRaised,
    SidekiqJobFailed,
    SimulatedJobFailure,
    UntranslatedRuby,
)
from batch2flow.runtime.jobs import orchestration_step, run_job
from batch2flow.runtime.markers import ruby_condition, ruby_items, ruby_value
from batch2flow.runtime.membership import Batch, WorkflowRun, columns
from batch2flow.runtime.porting import NotPorted, not_ported
from batch2flow.runtime.raising import ruby_raises
from batch2flow.runtime.rehearsal import Rehearsal, rehearsal
from batch2flow.runtime.retries import retry_delays, retry_job
from batch2flow.runtime.ruby_text import ruby_to_s
from batch2flow.runtime.workflows import start_workflow

if TYPE_CHECKING:
    from batch2flow.runtime.block import SidekiqBridge

__all__ = [
    "OMITTED",
    "Batch",
    "BatchStatus",
    "NotEnqueued",
    "NotPorted",
    "BridgeError",
    "BridgeTimeout",
    "JobOutcomeUnknown",
    "Rehearsal",
    "RubyRaised",
    "SidekiqBridge",
    "SidekiqJobFailed",
    "SimulatedJobFailure",
    "UntranslatedRuby",
    "WorkflowRun",
    "batch_status",
    "bulk_rows",
    "columns",
    "first_death",
    "not_ported",
    "orchestration_step",
    "rehearsal",
    "retry_delays",
    "retry_job",
    "ruby_condition",
    "ruby_items",
    "ruby_raises",
    "ruby_to_s",
    "ruby_value",
    "run_job",
    "sent_arguments",
    "start_workflow",
]


def __getattr__(name: str) -> object:
    # The block class needs Prefect at definition time; load it only when asked for.
    if name == "SidekiqBridge":
        from batch2flow.runtime.block import SidekiqBridge

        return SidekiqBridge
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
