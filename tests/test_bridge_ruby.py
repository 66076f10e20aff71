"""The generated Ruby bridge against a real Redis, a real Sidekiq process and a real Rack
server (puma) on loopback, speaking docs/bridge-protocol.md as the Python client would.

One set of services for the module (tests/ruby_services.py); each test uses keys of
its own, and queues no Sidekiq process listens to (`parked`, `later`) where a job must
stay put.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ruby_services import Redis, Services, bridge_services, http

APP = Path(__file__).parent / "bridge_app"
TOKEN = "s3cret-t0ken"
QUEUES = ("bridge_test", "default", "callbacks")


class Bridge:
    def __init__(self, url: str, redis: Redis, services: Services, bridge_dir: Path) -> None:
        self.url, self.redis, self.services, self.dir = url, redis, services, bridge_dir

    def post(
        self,
        path: str,
        body: object,
        key: str | None = None,
        *,
        token: str | None = TOKEN,
        raw: bytes | None = None,
    ) -> tuple[int, dict[str, object]]:
        headers = {"Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body).encode()
        return http(self.url + path, "POST", data, headers)

    def get(
        self, path: str, method: str = "GET", token: str | None = TOKEN
    ) -> tuple[int, dict[str, object]]:
        return http(self.url + path, method, None, {"Authorization": f"Bearer {token}"} if token else {})

    def job(
        self,
        worker: str,
        args: list[object],
        key: str,
        queue: str | None = None,
        attempt: int = 1,
        **more: object,
    ) -> tuple[int, dict[str, object]]:
        body = {"class": worker, "args": args, "queue": queue, "run_attempt": attempt, **more}
        return self.post("/v1/jobs", body, key)

    def wait(
        self, jid: object, until: Callable[[dict[str, object]], bool], seconds: float = 15
    ) -> dict[str, object]:
        deadline = time.monotonic() + seconds
        while True:
            status, state = self.get(f"/v1/jobs/{jid}")
            assert status == 200, state
            if until(state) or time.monotonic() > deadline:
                assert until(state), (state, self.services.log("sidekiq"))
                return state
            time.sleep(0.05)

    def ended(self, jid: object) -> dict[str, object]:
        return self.wait(jid, lambda s: s["state"] in ("succeeded", "dead", "cancelled"))


def key() -> str:
    return f"b2f-test-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    with bridge_services(tmp_path_factory.mktemp("ruby_bridge"), APP, QUEUES, TOKEN) as running:
        yield Bridge(running.url, running.redis, running.services, running.bridge_dir)


def effects_named(bridge: Bridge, name: str) -> list[object]:
    return [e for e in bridge.redis.effects() if isinstance(e, list) and len(e) > 1 and e[1] == name]


def test_health_names_the_protocol_sidekiq_and_the_allowlist(bridge: Bridge) -> None:
    # the Sidekiq this environment loads (Debian's 6.4.1 in CI; RUBYLIB may put another first)
    loaded = subprocess.run(["ruby", "-rsidekiq", "-e", "print Sidekiq::VERSION"], capture_output=True,
                            text=True, check=True).stdout
    assert bridge.get("/v1/health") == (
        200,
        {"protocol": 1, "sidekiq": loaded, "workers": 4, "callbacks": 3},
    )


def test_a_job_runs_once_in_sidekiq_and_its_state_follows_it(bridge: Bridge) -> None:
    name = uuid.uuid4().hex
    k = key()
    status, answer = bridge.job("EffectWorker", [name, {"n": 1}], k)
    assert (status, answer["state"]) == (201, "queued")
    state = bridge.ended(answer["jid"])
    assert state["state"] == "succeeded" and state["retry_count"] == 0 and state["error"] is None
    assert state["plan"] == {"batches": [], "callbacks": [], "enqueues": []}
    assert (
        isinstance(state["started_at"], float)
        and state["started_at"] <= state["ended_at"] <= time.monotonic()
    )
    assert effects_named(bridge, name) == [["effect", name, {"n": 1}]]
    # a repeat of the request (a lost answer, a Prefect retry) pushes nothing
    assert bridge.job("EffectWorker", [name, {"n": 1}], k) == (
        200,
        {"jid": answer["jid"], "state": "succeeded"},
    )
    time.sleep(0.3)
    assert len(effects_named(bridge, name)) == 1


def test_a_key_used_with_other_args_or_batch_is_409(bridge: Bridge) -> None:
    k = key()
    assert bridge.job("EffectWorker", ["a"], k, queue="parked")[0] == 201
    assert bridge.job("EffectWorker", ["b"], k, queue="parked")[0] == 409
    assert bridge.job("EffectWorker", ["a"], k, queue="other")[0] == 409
    status, answer = bridge.job(
        "EffectWorker", ["a"], k, queue="parked", batch={"bid": "x", "parent_bid": None}
    )
    assert (status, set(answer)) == (409, {"error"})
    assert bridge.redis.call("LLEN", "queue:parked") == 1
    bridge.redis.call("DEL", "queue:parked")


def test_a_job_that_raises_with_retry_false_is_dead_and_a_later_run_attempt_pushes_it_again(
    bridge: Bridge,
) -> None:
    k = key()
    status, answer = bridge.job("FailingWorker", ["fly"], k)
    assert status == 201
    state = bridge.ended(answer["jid"])
    assert state["state"] == "dead" and state["retry_count"] == 0 and state["plan"] is None
    error = state["error"]
    assert isinstance(error, dict)
    assert (error["class"], error["message"]) == ("ArgumentError", "cannot fly")
    backtrace = error["backtrace"]
    assert isinstance(backtrace, list) and 1 <= len(backtrace) <= 10
    assert backtrace[0].startswith("app/workers/failing_worker.rb:8:in `perform'")
    assert bridge.job("FailingWorker", ["fly"], k) == (200, {"jid": answer["jid"], "state": "dead"})
    status, again = bridge.job("FailingWorker", ["fly"], k, attempt=2)
    assert status == 201 and again["jid"] != answer["jid"]
    assert bridge.ended(again["jid"])["state"] == "dead"
    assert bridge.job("FailingWorker", ["fly"], k, attempt=2) == (
        200,
        {"jid": again["jid"], "state": "dead"},
    )


def test_a_job_sidekiq_retries_is_retrying_then_dead_once_its_retries_are_spent(bridge: Bridge) -> None:
    name = uuid.uuid4().hex
    status, answer = bridge.job("FlakyWorker", [name], key())
    assert status == 201
    retrying = bridge.wait(answer["jid"], lambda s: s["state"] != "queued" and s["state"] != "running")
    assert retrying["state"] == "retrying" and retrying["retry_count"] == 0
    assert retrying["error"]["class"] == "IOError"  # type: ignore[index]
    # the death handler: retry: 1 spent
    dead = bridge.wait(answer["jid"], lambda s: s["state"] == "dead", seconds=20)
    assert dead["retry_count"] == 1 and dead["error"]["message"] == f"flaky {name}"  # type: ignore[index]
    assert effects_named(bridge, name) == [["flaky", name], ["flaky", name]]


def _refusals() -> list[tuple[str, dict[str, object]]]:
    job = {"class": "EffectWorker", "args": [1], "queue": "parked", "run_attempt": 1}
    starter = {
        "kind": "starter",
        "target": "Pipeline.start",
        "args": [1],
        "queue": "parked",
        "run_attempt": 1,
    }
    status = {"bid": "b", "parent_bid": None, "total": 1, "failures": 0, "pending": 0, "failed_jids": []}
    callback = {
        "kind": "callback",
        "target": "PipelineCallbacks#done",
        "event": "success",
        "options": None,
        "queue": "parked",
        "run_attempt": 1,
        "status": status,
    }
    return [
        ("400 not json", {"raw": b"{nope", "status": 400}),
        ("400 not an object", {"raw": b"[1]", "status": 400}),
        ("400 no key", {"body": job, "key": None, "status": 400}),
        ("400 bad key", {"body": job, "key": "has space", "status": 400}),
        ("400 extra field", {"body": {**job, "extra": 1}, "status": 400}),
        ("400 missing field", {"body": {k: v for k, v in job.items() if k != "queue"}, "status": 400}),
        ("400 run_attempt 0", {"body": {**job, "run_attempt": 0}, "status": 400}),
        (
            "400 bad status",
            {"body": {**callback, "status": {"bid": "b"}}, "path": "/v1/calls", "status": 400},
        ),
        ("401 no token", {"body": job, "token": None, "status": 401}),
        ("401 wrong token", {"body": job, "token": TOKEN + "x", "status": 401}),
        ("401 before the body is read", {"raw": b"x" * (2 << 20), "token": "short", "status": 401}),
        ("413 oversized", {"raw": b" " * ((1 << 20) + 1), "status": 413}),
        ("422 unknown worker", {"body": {**job, "class": "AuditJob"}, "status": 422}),
        (
            "422 infinite float",
            {"raw": json.dumps(job).replace("[1]", "[1e400]").encode(), "status": 422},
        ),
        ("422 integer beyond 64 bits", {"body": {**job, "args": [{"n": 2**70}]}, "status": 422}),
        (
            "400 kwargs not an object",
            {"body": {**starter, "kwargs": [1]}, "path": "/v1/calls", "status": 400},
        ),
        (
            "400 kwargs on a callback",
            {"body": {**callback, "kwargs": {}}, "path": "/v1/calls", "status": 400},
        ),
        (
            "422 kwargs not native",
            {"body": {**starter, "kwargs": {"n": 2**70}}, "path": "/v1/calls", "status": 422},
        ),
        (
            "422 unknown starter",
            {"body": {**starter, "target": "Pipeline.stop"}, "path": "/v1/calls", "status": 422},
        ),
        (
            "422 unknown callback",
            {"body": {**callback, "target": "StepCallbacks#done"}, "path": "/v1/calls", "status": 422},
        ),
        (
            "422 unregistered event",
            {"body": {**callback, "event": "death"}, "path": "/v1/calls", "status": 422},
        ),
        (
            "422 options not native",
            {
                "raw": json.dumps({**callback, "options": {"x": 1}})
                .replace('"x": 1', '"x": -1e999')
                .encode(),
                "path": "/v1/calls",
                "status": 422,
            },
        ),
    ]


@pytest.mark.parametrize(("case", "spec"), _refusals(), ids=[name for name, _ in _refusals()])
def test_a_refused_request_enqueues_nothing(bridge: Bridge, case: str, spec: dict[str, object]) -> None:
    k = spec.get("key", key())
    raw = spec.get("raw")
    status, answer = bridge.post(
        str(spec.get("path", "/v1/jobs")),
        spec.get("body"),
        k,  # type: ignore[arg-type]
        token=spec.get("token", TOKEN),
        raw=raw,
    )  # type: ignore[arg-type]
    assert status == spec["status"], answer
    assert set(answer) == {"error"} and TOKEN not in json.dumps(answer)
    assert bridge.redis.call("LLEN", "queue:parked") == 0
    assert bridge.redis.call("EXISTS", f"b2f:key:{k}") == 0


def test_unknown_jobs_and_paths_are_404(bridge: Bridge) -> None:
    assert bridge.get("/v1/jobs/0123456789abcdef01234567")[0] == 404
    assert bridge.get("/v1/jobs/0123456789abcdef01234567", "DELETE")[0] == 404
    assert bridge.get("/v2/health")[0] == 404
    assert bridge.get("/v1/health", token=None)[0] == 401


def test_batch_jobs_in_perform_are_recorded_into_the_jobs_batch_and_not_pushed(bridge: Bridge) -> None:
    k = key()
    status, answer = bridge.job(
        "FanOutWorker", [5], k, batch={"bid": "outer-b1", "parent_bid": "top-b0"}
    )
    assert status == 201
    state = bridge.ended(answer["jid"])
    assert state["state"] == "succeeded", state
    site = "app/workers/fan_out_worker.rb"
    assert state["plan"] == {
        "batches": [
            {
                "bid": "outer-b1",
                "parent_bid": "top-b0",
                "reopened": True,
                "description": None,
                "callback_queue": None,
                "site": {"file": site, "line": 8},
            },
            {
                "bid": f"{k}-b1",
                "parent_bid": "outer-b1",
                "reopened": False,
                "description": "child of 5",
                "callback_queue": None,
                "site": {"file": site, "line": 10},
            },
        ],
        "callbacks": [
            {
                "bid": f"{k}-b1",
                "event": "success",
                "target": "StepCallbacks#on_success",
                "options": {"id": 5, "kind": "child"},
                "site": {"file": site, "line": 12},
            }
        ],
        "enqueues": [
            {
                "class": "EffectWorker",
                "args": ["fanned", 5],
                "queue": "bridge_test",
                "at": None,
                "bid": "outer-b1",
                "site": {"file": site, "line": 9},
            },
            {
                "class": "EffectWorker",
                "args": ["child", 6],
                "queue": "later",
                # perform_in(30): Sidekiq keeps the time to run at; the recorder gives the
                # delay left, measured a few instants later on a busy machine
                "at": pytest.approx(30.0, abs=0.1),
                "bid": f"{k}-b1",
                "site": {"file": site, "line": 14},
            },
        ],
    }
    time.sleep(0.3)
    assert effects_named(bridge, "fanned") == [] and bridge.redis.call("ZCARD", "schedule") == 0


def test_the_starter_runs_as_a_call_job_and_its_plan_names_batch_callbacks_and_jobs(
    bridge: Bridge,
) -> None:
    k = key()
    body = {"kind": "starter", "target": "Pipeline.start", "args": [7], "queue": None, "run_attempt": 1}
    status, answer = bridge.post("/v1/calls", body, k)
    assert status == 201
    state = bridge.ended(answer["jid"])
    assert state["state"] == "succeeded", state
    site = "app/services/pipeline.rb"
    bid = f"{k}-b1"
    plan = state["plan"]
    assert isinstance(plan, dict)
    assert plan["batches"] == [
        {
            "bid": bid,
            "parent_bid": None,
            "reopened": False,
            "description": "pipeline 7",
            "callback_queue": "callbacks",
            "site": {"file": site, "line": 5},
        }
    ]
    assert plan["callbacks"] == [
        {
            "bid": bid,
            "event": "success",
            "target": "PipelineCallbacks#done",
            "options": {"id": 7},
            "site": {"file": site, "line": 8},
        },
        {
            "bid": bid,
            "event": "death",
            "target": "PipelineCallbacks#on_death",
            "options": None,
            "site": {"file": site, "line": 9},
        },
    ]
    assert [(e["class"], e["args"], e["bid"], e["site"]["line"]) for e in plan["enqueues"]] == [  # type: ignore[index]
        ("FanOutWorker", [7], bid, 11),
        ("FailingWorker", ["x"], bid, 12),
        ("FlakyWorker", ["y"], bid, 13),
    ]
    # the audit job is no workflow's: it went to Sidekiq and ran
    deadline = time.monotonic() + 10
    while not effects_named(bridge, "started 7") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert effects_named(bridge, "started 7") == [["audit", "started 7"]]
    assert [e for e in bridge.redis.effects() if e[0] == "flaky" and e[1] == "y"] == []  # type: ignore[index]


def test_a_callback_gets_the_status_and_options_and_its_plan_is_read_back(bridge: Bridge) -> None:
    k = key()
    status_data = {
        "bid": "flow-b1",
        "parent_bid": "flow-b0",
        "total": 3,
        "failures": 1,
        "pending": 1,
        "failed_jids": ["j9"],
    }
    body = {
        "kind": "callback",
        "target": "PipelineCallbacks#done",
        "event": "success",
        "options": {"id": 3},
        "queue": "callbacks",
        "run_attempt": 1,
        "status": status_data,
    }
    status, answer = bridge.post("/v1/calls", body, k)
    assert status == 201
    state = bridge.ended(answer["jid"])
    assert state["state"] == "succeeded", state
    seen = [e[1] for e in bridge.redis.effects() if e[0] == "done"]  # type: ignore[index]
    assert {
        "bid": "flow-b1",
        "parent_bid": "flow-b0",
        "total": 3,
        "failures": 1,
        "failed_jids": ["j9"],
        "complete": True,
        "success": False,
        "options": {"id": 3},
    } in seen
    site = "app/services/pipeline_callbacks.rb"
    assert state["plan"] == {
        "batches": [
            {
                "bid": "flow-b1",
                "parent_bid": "flow-b0",
                "reopened": True,
                "description": None,
                "callback_queue": None,
                "site": {"file": site, "line": 9},
            }
        ],
        "callbacks": [],
        "enqueues": [
            {
                "class": "EffectWorker",
                "args": ["after", 3],
                "queue": "bridge_test",
                "at": None,
                "bid": "flow-b1",
                "site": {"file": site, "line": 10},
            }
        ],
    }
    # a class target: its on_<event> runs
    death = {**body, "target": "PipelineCallbacks", "event": "death", "options": None}
    status, answer = bridge.post("/v1/calls", death, key())
    assert status == 201
    state = bridge.ended(answer["jid"])
    assert state["state"] == "succeeded" and state["plan"]["enqueues"][0]["args"] == ["death", None]  # type: ignore[index]


def test_a_queued_job_is_cancelled_and_never_runs_and_a_finished_one_is_409(bridge: Bridge) -> None:
    name = uuid.uuid4().hex
    status, answer = bridge.job("EffectWorker", [name], key(), queue="parked")
    assert status == 201 and bridge.redis.call("LLEN", "queue:parked") == 1
    jid = answer["jid"]
    payload = bridge.redis.call("LINDEX", "queue:parked", "0")
    assert bridge.get(f"/v1/jobs/{jid}", "DELETE") == (200, {"jid": jid, "state": "cancelled"})
    assert bridge.redis.call("LLEN", "queue:parked") == 0
    assert bridge.get(f"/v1/jobs/{jid}", "DELETE") == (200, {"jid": jid, "state": "cancelled"})
    # should a Sidekiq process fetch it anyway, the middleware skips it
    assert isinstance(payload, str)
    bridge.redis.call("LPUSH", "queue:bridge_test", payload)
    probe = bridge.job("EffectWorker", [name + "-probe"], key())[1]
    bridge.ended(probe["jid"])
    deadline = time.monotonic() + 5
    while bridge.redis.call("LLEN", "queue:bridge_test") and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert effects_named(bridge, name) == []
    assert bridge.get(f"/v1/jobs/{jid}")[1]["state"] == "cancelled"
    status, refused = bridge.get(f"/v1/jobs/{probe['jid']}", "DELETE")
    assert (status, refused["state"]) == (409, "succeeded") and "error" in refused


RACK_UNDER_PREFIX = """
require "rack"
require "rack/mock"
require File.join(ENV.fetch("BATCH2FLOW_BRIDGE_DIR"), "batch2flow_bridge")
app = Rack::Builder.new { map("/batch2flow") { run Batch2flow::Bridge::App.new(token: "tk") } }.to_app
auth = {"HTTP_AUTHORIZATION" => "Bearer tk"}
mock = Rack::MockRequest.new(app)
answers = ["/batch2flow/v1/health", "/batch2flow/v1/jobs/abc", "/v1/health"].map { |p| mock.get(p, auth) }
puts JSON.generate(answers.map { |a| [a.status, a.body] })
"""


def test_the_app_answers_mounted_under_a_path_prefix(bridge: Bridge) -> None:
    env = {**bridge.services.env}
    done = subprocess.run(
        ["ruby", "-e", RACK_UNDER_PREFIX],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # the answers are the last line: Sidekiq 7 logs its connecting to Redis on stdout first
    (health_status, health), (missing, _), (outside, _) = json.loads(done.stdout.splitlines()[-1])
    assert (health_status, json.loads(health)["protocol"]) == (200, 1)
    assert (missing, outside) == (404, 404)


def test_config_ru_refuses_to_start_without_a_token(bridge: Bridge) -> None:
    env = {k: v for k, v in bridge.services.env.items() if k != "BATCH2FLOW_BRIDGE_TOKEN"}
    code = 'require "rack"; Rack::Builder.parse_file("config.ru")'
    done = subprocess.run(
        ["ruby", "-e", code],
        cwd=bridge.dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0 and "BATCH2FLOW_BRIDGE_TOKEN" in done.stderr
    insecure = subprocess.run(
        ["ruby", "-e", code],
        cwd=bridge.dir,
        env={**env, "BATCH2FLOW_BRIDGE_INSECURE": "1"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert insecure.returncode == 0, insecure.stderr
