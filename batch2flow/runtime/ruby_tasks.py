"""The Prefect tasks a plan-driven flow runs Ruby with: a job, the starter, a callback.

Each waits for its Ruby through the bridge and returns the plan it recorded. Sidekiq owns
a job's retries, so Prefect retries none (a retry would wait for the same job anyway);
no result is reused from a cache, as Sidekiq runs every job it is given.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NONE as NO_CACHE

from batch2flow.runtime.plans import Plan, PlannedCallback, PlannedJob
from batch2flow.runtime.ruby_calls import RubyCall, run_planned_job, run_ruby


@task(name="ruby job", tags=["sidekiq"], retries=0, cache_policy=NO_CACHE)
def ruby_job(job: PlannedJob, parent_bid: str | None) -> Plan:
    """Runs the job's `perform` in Ruby, in the batch its plan named."""
    return run_planned_job(job, parent_bid)


@task(name="ruby starter", tags=["sidekiq"], retries=0, cache_policy=NO_CACHE)
def ruby_starter(target: str, args: list[object], key: str, kwargs: dict[str, object] | None = None) -> Plan:
    """Runs the workflow's starter (`Klass.method`) in Ruby."""
    body: dict[str, object] = {"kind": "starter", "target": target, "args": args, "queue": None}
    if kwargs:
        body["kwargs"] = kwargs
    return run_ruby(RubyCall(path="/calls", body=body, key=key, name=target))


@task(name="ruby callback", tags=["sidekiq"], retries=0, cache_policy=NO_CACHE)
def ruby_callback(callback: PlannedCallback, status: dict[str, object], queue: str | None) -> Plan:
    """Runs a batch callback in Ruby with the status the flow observed."""
    body: dict[str, object] = {"kind": "callback", "target": callback.target, "event": callback.event,
                               "options": callback.options, "queue": queue, "status": status}
    return run_ruby(RubyCall(path="/calls", body=body, key=callback.key, name=callback.target))
