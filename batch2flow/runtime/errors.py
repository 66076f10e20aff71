"""Exceptions a generated flow can raise; each message says what to do next."""

from __future__ import annotations


class JobOutcomeUnknown(Exception):
    """The flow cannot tell what a job did: it was never enqueued, or its end was not seen.
    Never a job's death: no `:death` work fires and no Sidekiq retry is spent on it; the
    callbacks that would read the job's batch raise it again, so the flow run fails."""


class BridgeError(JobOutcomeUnknown):
    """The Sidekiq bridge could not be reached, refused a request or answered nonsense,
    or it is not configured. The message names the bridge URL, never the token."""


class BridgeTimeout(BridgeError):
    """A job was still queued, running or retrying when the configured wait ran out.
    It may still run: retrying the flow run goes on waiting for the same job."""


class NotEnqueued(JobOutcomeUnknown):
    """The job was not enqueued: its arguments cannot be sent, or the flow run is being
    cancelled."""


class SidekiqJobFailed(Exception):
    """A Ruby job died: it raised and Sidekiq spent its retries (or it had none)."""

    def __init__(self, worker: str, jid: str, error: str) -> None:
        super().__init__(f"{worker} (jid {jid}) failed: {error}")
        #: the Sidekiq worker class, fully qualified
        self.worker = worker
        #: the job id the bridge gave the job
        self.jid = jid
        #: the error message the bridge reported
        self.error = error

    def __reduce__(self) -> tuple[type[SidekiqJobFailed], tuple[str, str, str]]:
        # Prefect pickles exceptions into failed states; the default reduce would
        # call __init__ with the formatted message alone.
        return (type(self), (self.worker, self.jid, self.error))


class SimulatedJobFailure(SidekiqJobFailed):
    """A rehearsal job told to fail (`rehearsal(fail=[...])`); no Ruby ran."""


class UntranslatedRuby(Exception):
    """The converter left Ruby it could not translate; the flow must be edited first."""

    def __init__(self, source: str, where: str) -> None:
        super().__init__(
            f"{where}: this Ruby was not translated: {source!r}. "
            "Edit the generated flow to replace the ruby_* marker with Python."
        )
        #: the Ruby expression as written
        self.source = source
        #: `path:line` of the expression in the Ruby tree
        self.where = where

    def __reduce__(self) -> tuple[type[UntranslatedRuby], tuple[str, str]]:
        return (type(self), (self.source, self.where))


class RubyRaised(Exception):
    """The Ruby raised at this point of the workflow (an unknown batch event, say), so
    Sidekiq went no further there; neither does the flow."""

    def __init__(self, error: str, where: str) -> None:
        super().__init__(
            f"{where}: the Ruby raises here ({error}), so the workflow stops here, as it did "
            "in Sidekiq. Fix the Ruby, then convert it again."
        )
        #: "ErrorClass: message", as Ruby reports it
        self.error = error
        #: `path:line` of the Ruby that raises
        self.where = where

    def __reduce__(self) -> tuple[type[RubyRaised], tuple[str, str]]:
        return (type(self), (self.error, self.where))


class UnplannedWork(JobOutcomeUnknown):
    """Ruby enqueued a job or registered a callback at a call site the flow's graph does not
    know: the flow would run other work than Sidekiq did, so it runs none of it."""


class MalformedPlan(BridgeError):
    """The bridge answered a plan that is not the shape docs/bridge-protocol.md gives."""


class JobCancelled(JobOutcomeUnknown):
    """The job was cancelled before it started (its flow run was cancelled): it never ran,
    so it is no death and no callback may decide on it."""
