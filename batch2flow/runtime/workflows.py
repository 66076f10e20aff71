"""Starting another workflow without waiting, as a Sidekiq job enqueuing a batch would."""

from __future__ import annotations

from batch2flow.runtime.rehearsal import active_rehearsal


def start_workflow(name: str, parameters: dict[str, object]) -> None:
    """Start the deployment `name/name` with `parameters` and return at once.

    Generated flows are deployed under their own flow name, hence `name/name`.
    In a rehearsal nothing runs: the start is recorded in `Rehearsal.started`.
    """
    current = active_rehearsal()
    if current is not None:
        from prefect.runtime import flow_run

        starter = flow_run.flow_name if isinstance(flow_run.flow_name, str) else None
        current.start(name, parameters, starter)
        return
    from prefect.deployments import run_deployment

    # timeout=0: Sidekiq never waited for what a job enqueued, so neither does the flow;
    # not a subflow either, so cancelling this run leaves the other workflow running
    run_deployment(f"{name}/{name}", parameters=parameters, timeout=0, as_subflow=False)
