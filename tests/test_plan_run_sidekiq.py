"""Ruby computes, Prefect orchestrates, end to end: the flow `convert --tasks ruby`
generates for tests/flow_app runs its workflow under Prefect against the generated
bridge, a real Sidekiq process and a real Redis. Every Ruby method runs in Ruby: the
starter's, the jobs' and the callbacks' side effects land in Redis, in Sidekiq's order,
those of the workflow a callback starts included.
"""

from __future__ import annotations

import http.client
import inspect
import socket
import struct
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from prefect import flow
from ruby_services import RunningBridge, bridge_services, generated_flow, point_client_at

APP = Path(__file__).parent / "flow_app"
TOKEN = "flow-t0ken"

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def ruby(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBridge]:
    root = tmp_path_factory.mktemp("flow_app")
    with bridge_services(root, APP, ("flow_test", "default"), TOKEN) as running:
        yield running


@pytest.fixture
def bridged(ruby: RunningBridge, monkeypatch: pytest.MonkeyPatch) -> RunningBridge:
    point_client_at(ruby, TOKEN, monkeypatch)
    ruby.redis.call("DEL", "fail:PartWorker")
    return ruby


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """tests/flow_app converted with `--tasks ruby`, imported as the Prefect worker would."""
    return generated_flow(APP, "report", tmp_path_factory.mktemp("flows"))


def test_every_ruby_method_runs_in_ruby_in_sidekiqs_order(bridged: RunningBridge,
                                                          generated: ModuleType) -> None:
    state = generated.report(7, return_state=True)
    assert state.is_completed(), bridged.services.log("sidekiq")
    effects = bridged.redis.effects()
    assert effects[:2] == [["start", 7], ["extract", 7]]
    assert sorted(map(str, effects[2:4])) == [str(["part", 1]), str(["part", 2])]
    assert effects[4:6] == [["extracted", 2, 0], ["publish", 7]]  # reopened the parent
    rest = list(map(str, effects[6:]))
    assert sorted(rest) == sorted(map(str, [["finished", 7], ["complete", 0], ["archive", 7, "report"],
                                            ["archive_job", 7, [":kind"], ":full"], ["archived", 7]]))
    # :success started the archive workflow from its Ruby; the run followed it to its end
    steps = (["finished", 7], ["archive", 7, "report"], ["archive_job", 7, [":kind"], ":full"],
             ["archived", 7])
    order = [str(step) for step in steps]
    assert sorted(order, key=rest.index) == order


def test_a_starter_gets_its_keyword_arguments_by_name(bridged: RunningBridge,
                                                     tmp_path: Path) -> None:
    """`Archive.start(id, reason: "manual")`: the flow keeps the default, typed, and passes
    `reason` as a keyword, as Ruby takes it (by position it would raise ArgumentError)."""
    archive = generated_flow(APP, "archive", tmp_path)
    parameters = inspect.signature(archive.archive.fn).parameters
    assert [(p.name, p.annotation, p.default) for p in parameters.values()] == [
        ("id", inspect.Parameter.empty, inspect.Parameter.empty), ("reason", "str", "manual")]
    state = archive.archive(3, reason="direct", return_state=True)
    assert state.is_completed(), bridged.services.log("sidekiq")
    assert archive.archive(4, return_state=True).is_completed()
    # ArchiveJob is an ActiveJob job: it ran, and its symbol-keyed hash came through as one
    assert bridged.redis.effects() == [
        ["archive", 3, "direct"], ["archive_job", 3, [":kind"], ":full"], ["archived", 3],
        ["archive", 4, "manual"], ["archive_job", 4, [":kind"], ":full"], ["archived", 4]]


def test_a_dead_job_stops_success_work_and_complete_still_runs(bridged: RunningBridge,
                                                               generated: ModuleType) -> None:
    bridged.redis.call("SET", "fail:PartWorker", "1")
    state = generated.report(8, return_state=True)
    assert state.is_failed()
    names = [effect[0] for effect in bridged.redis.effects()]  # type: ignore[index]
    assert names[:2] == ["start", "extract"]
    assert not {"extracted", "publish", "finished", "archive"} & set(names)
    assert names[2:] in (["complete", "died"], ["died", "complete"])  # :complete waits for no :death
    # :death fires once, on the first death in the batch or its children, with that batch's status
    assert names.count("died") == 1


def test_retrying_the_flow_run_runs_no_succeeded_job_twice(bridged: RunningBridge,
                                                           generated: ModuleType) -> None:
    """Same flow run, next attempt: the keys come out the same, so the bridge answers each
    job and call that succeeded with its stored plan and runs none of them again."""
    from prefect.context import FlowRunContext

    attempts: list[int] = []

    @flow(name="report_retried", retries=1, retry_delay_seconds=0)
    def report_retried(id: int) -> list[Any]:
        ctx = FlowRunContext.get()
        assert ctx is not None and ctx.flow_run is not None
        attempts.append(ctx.flow_run.run_count)
        futures = generated.report.fn(id)
        if ctx.flow_run.run_count == 1:
            raise RuntimeError("the flow run's process was lost")  # after every job ran
        return futures

    assert report_retried(9, return_state=True).is_completed()
    assert attempts == [1, 2]
    names = [effect[0] for effect in bridged.redis.effects()]  # type: ignore[index]
    assert sorted(names) == sorted(["start", "extract", "part", "part", "extracted", "publish",
                                    "finished", "complete", "archive", "archive_job", "archived"])


class CuttingProxy:
    """Forwards each request to the bridge, and for the first `cuts` of them resets the
    connection once the bridge has answered, as a load balancer dying mid-answer would."""

    def __init__(self, upstream: str, cuts: int) -> None:
        self.upstream = urllib.parse.urlsplit(upstream)
        self.cuts = cuts
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with client:
                self._one(client)

    def _one(self, client: socket.socket) -> None:
        stream = client.makefile("rb")
        method, path, _ = stream.readline().decode().split(" ", 2)
        headers: dict[str, str] = {}
        while (line := stream.readline().decode().strip()):
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
        body = stream.read(int(headers.get("Content-Length", "0")))
        upstream = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=10)
        upstream.request(method, path, body=body or None, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        upstream.close()
        if self.cuts > 0:
            self.cuts -= 1
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return  # closing with linger 0 resets the connection: the answer is lost
        client.sendall(f"HTTP/1.1 {answer.status} {answer.reason}\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)

    def close(self) -> None:
        self.server.close()


def test_a_connection_cut_after_the_bridge_accepted_the_job_runs_it_once(
        bridged: RunningBridge, monkeypatch: pytest.MonkeyPatch) -> None:
    from batch2flow.runtime import transport
    from batch2flow.runtime.plans import PlannedJob, Site
    from batch2flow.runtime.ruby_calls import run_planned_job

    monkeypatch.setattr(transport, "TRANSIENT_BACKOFF_SECONDS", 0.01)
    proxy = CuttingProxy(bridged.url, cuts=1)
    try:
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", proxy.url)
        job = PlannedJob(worker="PublishWorker", args=[42], queue=None, at=None, bid=None,
                         site=Site("app/services/report_callbacks.rb", 7), key=f"b2f-cut-{uuid.uuid4().hex}")
        run_planned_job(job, None)
    finally:
        proxy.close()
    assert proxy.cuts == 0  # the POST's answer was lost once, and the POST repeated
    assert bridged.redis.effects() == [["publish", 42]]


def test_cancelling_a_flow_run_cancels_its_jobs_that_have_not_started(bridged: RunningBridge) -> None:
    """The flows' on_cancellation hook: a job still queued is cancelled and never runs; the
    bridge keeps its state, so a poll says so."""
    from types import SimpleNamespace

    from ruby_services import http as ask

    from batch2flow.runtime.bridge import enqueue
    from batch2flow.runtime.cancelling import cancel_not_started, remember
    from batch2flow.runtime.config import load_config
    from batch2flow.runtime.keys import Call

    config = load_config()
    run_id = uuid.uuid4().hex
    # a queue no Sidekiq process of the test listens to: the job stays queued
    job = enqueue(config, "PublishWorker", [5], "parked", Call(f"b2f-cancel-{run_id}", 1, run_id))
    remember(run_id, config, job.jid)
    cancel_not_started(None, SimpleNamespace(id=run_id), None)
    _, state = ask(f"{bridged.url}/v1/jobs/{job.jid}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert state["state"] == "cancelled"
    assert bridged.redis.effects() == []
