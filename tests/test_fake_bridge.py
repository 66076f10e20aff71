"""The fake bridge answers as docs/bridge-protocol.md says, status code by status code, so
the client tests run against the protocol and not against a convenient stand-in."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bridge import FakeBridge, JobScript

PROTOCOL = Path(__file__).parent.parent / "docs" / "bridge-protocol.md"
TOKEN = "t0k"
JOB = {"class": "ChargeWorker", "args": [1, "a"], "queue": None, "run_attempt": 1}


@pytest.fixture
def fake() -> Iterator[FakeBridge]:
    with FakeBridge(token=TOKEN, workers=frozenset({"ChargeWorker", "DyingWorker"}), max_body=4096) as bridge:
        bridge.script("DyingWorker", JobScript(error="RuntimeError: boom", retries=1))
        yield bridge


def send(bridge: FakeBridge, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, object]:
    host, port = bridge.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    sent = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", **(headers or {})}
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    return response.status, json.loads(raw) if raw else None


def post(bridge: FakeBridge, job: object, key: str = "k-1", **headers: str) -> tuple[int, object]:
    return send(bridge, "POST", "/v1/jobs", json.dumps(job).encode(), {"Idempotency-Key": key, **headers})


def test_a_new_key_pushes_a_job_and_a_repeat_answers_the_same_one(fake: FakeBridge) -> None:
    assert post(fake, JOB) == (201, {"jid": "jid-1", "state": "queued"})
    assert post(fake, JOB) == (200, {"jid": "jid-1", "state": "queued"})
    assert post(fake, JOB, key="k-2") == (201, {"jid": "jid-2", "state": "queued"})
    assert [job.key for job in fake.jobs] == ["k-1", "k-2"]


def test_a_key_reused_with_other_arguments_is_409(fake: FakeBridge) -> None:
    post(fake, JOB)
    status, body = post(fake, {**JOB, "args": [2]})
    assert status == 409 and "error" in body  # type: ignore[operator]
    assert len(fake.jobs) == 1


def test_a_dead_job_is_pushed_again_only_by_a_later_run_attempt(fake: FakeBridge) -> None:
    dying = {**JOB, "class": "DyingWorker"}
    post(fake, dying)
    states = [send(fake, "GET", "/v1/jobs/jid-1")[1] for _ in range(2)]
    assert states == [
        {"jid": "jid-1", "state": "retrying", "retry_count": 0,
         "error": {"class": "RuntimeError", "message": "boom"}, "result": None},
        {"jid": "jid-1", "state": "dead", "retry_count": 1,
         "error": {"class": "RuntimeError", "message": "boom"}, "result": None},
    ]
    assert post(fake, dying) == (200, {"jid": "jid-1", "state": "dead"})
    assert post(fake, {**dying, "run_attempt": 2}) == (201, {"jid": "jid-2", "state": "queued"})
    assert post(fake, {**dying, "run_attempt": 2}) == (200, {"jid": "jid-2", "state": "queued"})


def test_a_succeeded_job_is_never_pushed_again(fake: FakeBridge) -> None:
    post(fake, JOB)
    assert send(fake, "GET", "/v1/jobs/jid-1")[1] == {
        "jid": "jid-1", "state": "succeeded", "retry_count": 0, "error": None, "result": None}
    assert post(fake, {**JOB, "run_attempt": 2}) == (200, {"jid": "jid-1", "state": "succeeded"})


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        pytest.param(b"{not json", {"Idempotency-Key": "k"}, 400, id="bad-json"),
        pytest.param(json.dumps({**JOB, "retry": False}).encode(), {"Idempotency-Key": "k"}, 400,
                     id="extra-field"),
        pytest.param(json.dumps({**JOB, "run_attempt": 0}).encode(), {"Idempotency-Key": "k"}, 400,
                     id="attempt-0"),
        pytest.param(json.dumps(JOB).encode(), {}, 400, id="no-key"),
        pytest.param(json.dumps(JOB).encode(), {"Idempotency-Key": "a b"}, 400, id="bad-key"),
        pytest.param(json.dumps(JOB).encode(), {"Idempotency-Key": "k", "Authorization": "Bearer x"}, 401,
                     id="bad-token"),
        pytest.param(json.dumps({**JOB, "args": ["x" * 5000]}).encode(), {"Idempotency-Key": "k"}, 413,
                     id="too-large"),
        pytest.param(json.dumps({**JOB, "class": "Kernel"}).encode(), {"Idempotency-Key": "k"}, 422,
                     id="unknown-worker"),
        pytest.param(json.dumps({**JOB, "args": [2**70]}).encode(), {"Idempotency-Key": "k"}, 422,
                     id="not-json-native"),
        pytest.param(json.dumps({**JOB, "args": {"a": 1}}).encode(), {"Idempotency-Key": "k"}, 422,
                     id="args-not-an-array"),
    ],
)
def test_refusals_have_the_documented_status_and_push_nothing(
    fake: FakeBridge, body: bytes, headers: dict[str, str], status: int
) -> None:
    got, answer = send(fake, "POST", "/v1/jobs", body, headers)
    assert got == status and isinstance(answer, dict) and isinstance(answer["error"], str)
    assert fake.jobs == []


def test_an_unknown_jid_is_404(fake: FakeBridge) -> None:
    assert send(fake, "GET", "/v1/jobs/jid-9")[0] == 404


def test_every_status_code_the_fake_answers_is_documented() -> None:
    text = PROTOCOL.read_text(encoding="utf-8")
    for status in ("200", "201", "400", "401", "404", "409", "413", "422", "502, 503, 504"):
        assert f"| {status} |" in text or f"**{status}**" in text, status
    for state in ("queued", "running", "retrying", "succeeded", "dead"):
        assert f"| `{state}` |" in text, state
    assert "Idempotency-Key" in text and "Authorization: Bearer" in text
