"""`rehearse PATH --sidekiq`: the flows of `convert --tasks ruby` run under a throwaway
Prefect API against the real thing: Redis (started here, or REDIS_URL), a Sidekiq
process loading PATH's Ruby, and the generated bridge served by puma, all on loopback.
Every Ruby method runs in Ruby; the trace says when each job and callback started and
ended there.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from batch2flow import writer
from batch2flow.codegen.ruby_flow_plan import starter_callable
from batch2flow.convert import Conversion
from batch2flow.processes import Services, free_port, start_bridge
from batch2flow.rehearse import RehearsalReport, run_flows, throwaway_prefect_api
from batch2flow.runtime.rehearsal import Event

TOOLS = ("redis-server", "sidekiq", "puma")
BOOT = """# frozen_string_literal: true

# Written by `batch2flow rehearse --sidekiq`: the app's boot files, then the bridge.
require "json"
require "sidekiq"
JSON.parse(ENV.fetch("BATCH2FLOW_REQUIRES")).each { |file| require file }
require File.join(ENV.fetch("BATCH2FLOW_BRIDGE_DIR"), "batch2flow_bridge")
Batch2flow::Bridge.install!
"""


class NotReady(Exception):
    """What `rehearse --sidekiq` needs is missing; the message says what to install or pass."""


def boot_files(path: Path, requires: list[str]) -> list[str]:
    """The app's boot files: those given, else PATH/config/environment.rb."""
    if requires:
        return [str(Path(file).resolve()) for file in requires]
    default = path / "config" / "environment.rb"
    if default.is_file():
        return [str(default.resolve())]
    raise NotReady(f"no boot file: pass --require FILE (the file that loads {path}'s workers, "
                   "as config/environment.rb does in Rails)")


def rehearse_with_sidekiq(conversion: Conversion, path: Path, requires: list[str], fail: set[str],
                          parameters: dict[str, object],
                          trace: Callable[[Event], None] | None) -> RehearsalReport:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None and not (
        tool == "redis-server" and os.environ.get("REDIS_URL"))]
    if missing:
        raise NotReady(f"rehearse --sidekiq needs {', '.join(missing)} (Debian: apt-get install "
                       "redis-server ruby-sidekiq puma)")
    boots = boot_files(path, requires)
    with tempfile.TemporaryDirectory(prefix="batch2flow-sidekiq-") as tmp, \
            ruby_side(Path(tmp), path, boots, fail, conversion) as (url, token), throwaway_prefect_api():
        return _run(conversion, Path(tmp), url, token, parameters, trace)


@contextmanager
def ruby_side(root: Path, path: Path, boots: list[str], fail: set[str],
              conversion: Conversion) -> Iterator[tuple[str, str]]:
    from batch2flow.codegen.bridge_files import build_bridge

    bridge_dir = root / "bridge"
    writer.apply(bridge_dir, writer.plan_writes(bridge_dir, build_bridge([str(path)]).files), force=False)
    (root / "boot.rb").write_text(BOOT, encoding="utf-8")
    token = secrets.token_urlsafe(24)
    redis_port = None if os.environ.get("REDIS_URL") else free_port()
    redis_url = os.environ.get("REDIS_URL") or f"redis://127.0.0.1:{redis_port}/0"
    env = {**os.environ, "REDIS_URL": redis_url, "BATCH2FLOW_BRIDGE_TOKEN": token,
           "BATCH2FLOW_APP_ROOT": str(path.resolve()), "BATCH2FLOW_BRIDGE_DIR": str(bridge_dir),
           "BATCH2FLOW_REQUIRE": str(root / "boot_app.rb"), "BATCH2FLOW_REQUIRES": json.dumps(boots),
           "BATCH2FLOW_FAIL": ",".join(sorted(fail))}
    # the Rack app needs the app's classes but not a second install of the middlewares
    (root / "boot_app.rb").write_text('require "json"\n'
                                      "JSON.parse(ENV.fetch('BATCH2FLOW_REQUIRES')).each { |f| require f }\n")
    services = Services(root, env)
    try:
        url = start_bridge(services, bridge_dir=bridge_dir, redis_port=redis_port,
                           sidekiq_boot=root / "boot.rb", queues=_queues(conversion), token=token,
                           concurrency=5)
        yield url, token
    finally:
        services.close()


def _run(conversion: Conversion, folder: Path, url: str, token: str, parameters: dict[str, object],
         trace: Callable[[Event], None] | None) -> RehearsalReport:
    os.environ.update({"BATCH2FLOW_BRIDGE_URL": url, "BATCH2FLOW_BRIDGE_TOKEN": token})
    os.environ.pop("BATCH2FLOW_BRIDGE_BLOCK", None)
    # the rehearsal only collects the trace here: these flows simulate nothing, and the
    # --fail workers die in Sidekiq (BATCH2FLOW_FAIL)
    given = {plan.workflow: parameters for plan in conversion.plans}
    # a starter that needs a request, or is a rake task or a script, runs in the app: its
    # flow takes the plan Batch2flow.start_flow records there, which no rehearsal has
    recorded = {wf.name: wf for wf in conversion.graph.workflows if not starter_callable(wf)}
    # a step only workflows start runs inside their flow runs, not on its own
    steps = {wf.name for wf in conversion.graph.workflows if not wf.entry_point}
    callable_flows = {plan.workflow for plan in conversion.plans} - set(recorded) - steps
    report = run_flows(conversion, folder, set(), trace, parameters=given, only=callable_flows)
    report.notes += [f"{name} not rehearsed: {wf.starter} ({wf.entry}) starts it in the app with "
                     "Batch2flow.start_flow, which passes the flow the plan it records there"
                     for name, wf in sorted(recorded.items())]
    return report


def _queues(conversion: Conversion) -> list[str]:
    graph = conversion.graph
    found = {w.queue for w in graph.workers if w.queue} | {"default"}
    found |= {b.callback_queue for wf in graph.workflows for b in wf.batches if b.callback_queue}
    return sorted(found)
