"""Each job is enqueued once whatever repeats the request, and the client fails honestly:
no redirect followed, one deadline per request, capped answers, no token in a message."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from fake_bridge import FakeBridge, JobScript, Recorder

from batch2flow.runtime import BridgeError, NotEnqueued, run_job, transport
from batch2flow.runtime import bridge as bridge_module
from batch2flow.runtime.config import load_config
from batch2flow.runtime.keys import Call

TOKEN = "s3cret-t0ken"


@pytest.fixture
def bridge(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBridge]:
    for name in ("BATCH2FLOW_BRIDGE_BLOCK", "BATCH2FLOW_BRIDGE_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(bridge_module, "POLL_INITIAL_SECONDS", 0.005)
    monkeypatch.setattr(bridge_module, "POLL_MAX_SECONDS", 0.01)
    monkeypatch.setattr(transport, "TRANSIENT_BACKOFF_SECONDS", 0.005)
    with FakeBridge(token=TOKEN) as fake:
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", fake.url)
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_TOKEN", TOKEN)
        yield fake


def _posts(bridge: FakeBridge) -> list[str]:
    return [r.headers["idempotency-key"] for r in bridge.requests if r.method == "POST"]


def test_a_502_after_the_bridge_pushed_the_job_repeats_into_the_same_job(bridge: FakeBridge) -> None:
    bridge.script("ChargeWorker", JobScript(lost_answers=2, polls=1, result="done"))

    assert run_job("ChargeWorker", [1]) == "done"

    assert [job.jid for job in bridge.jobs] == ["jid-1"]  # must: one job
    keys = _posts(bridge)
    assert len(keys) == 3 and len(set(keys)) == 1  # the same key three times
    assert {r.path for r in bridge.requests if r.method == "GET"} == {"/v1/jobs/jid-1"}


def test_a_reset_after_the_bridge_pushed_the_job_repeats_into_the_same_job(bridge: FakeBridge) -> None:
    bridge.script("ChargeWorker", JobScript(resets=1, result="done"))

    assert run_job("ChargeWorker", [1]) == "done"

    assert len(bridge.jobs) == 1
    assert len(_posts(bridge)) == 2 and len(set(_posts(bridge))) == 1


def test_two_calls_outside_a_flow_are_two_jobs(bridge: FakeBridge) -> None:
    run_job("ChargeWorker", [1])
    run_job("ChargeWorker", [1])

    assert len(bridge.jobs) == 2 and len(set(_posts(bridge))) == 2


def test_a_redirect_is_an_error_and_nothing_reaches_the_other_host(
    bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Recorder() as elsewhere:
        bridge.script("ChargeWorker", JobScript(redirect=elsewhere.url + "/v1/jobs"))

        with pytest.raises(BridgeError, match=r"HTTP 302, a redirect: not followed") as caught:
            run_job("ChargeWorker", [1])

    assert elsewhere.requests == []  # must not: the token sent to another host
    assert bridge.jobs == [] and len(_posts(bridge)) == 1  # nor a redirect repeated
    assert bridge.url in str(caught.value) and TOKEN not in str(caught.value)


def test_a_bridge_that_never_answers_hits_the_request_deadline(
    bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "REQUEST_DEADLINE_SECONDS", 0.2)
    monkeypatch.setattr(transport, "TRANSIENT_RETRIES", 1)
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", url)
        started = time.monotonic()

        with pytest.raises(BridgeError, match=f"POST {url}/v1/jobs: bridge unavailable after 2 attempts"):
            run_job("ChargeWorker", [1])

    assert time.monotonic() - started < 2


def test_an_answer_past_the_size_cap_is_refused(bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "MAX_ANSWER_BYTES", 1000)
    bridge.script("ChargeWorker", JobScript(result="x" * 5000))

    with pytest.raises(BridgeError, match="answer larger than 1000 bytes, refused"):
        run_job("ChargeWorker", [1])


def test_an_answer_that_echoes_the_token_is_reported_without_it(bridge: FakeBridge) -> None:
    bridge.script("ChargeWorker", JobScript(raw_enqueue=f'{{"seen": "Bearer {TOKEN}"}}'.encode()))

    with pytest.raises(BridgeError) as caught:
        run_job("ChargeWorker", [1])

    assert TOKEN not in str(caught.value) and "[token]" in str(caught.value)


def test_a_url_with_credentials_is_refused_without_showing_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BATCH2FLOW_BRIDGE_BLOCK", raising=False)
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", "https://ops:hunter2@bridge.internal")

    with pytest.raises(BridgeError, match="holds credentials") as caught:
        load_config()

    assert "hunter2" not in str(caught.value) and "https://bridge.internal" in str(caught.value)


def test_the_token_is_kept_out_of_the_configuration_repr(bridge: FakeBridge) -> None:
    assert TOKEN not in repr(load_config()) and TOKEN not in repr(load_config().endpoint)


@pytest.mark.parametrize(
    ("script", "status"),
    [
        pytest.param(JobScript(), 422, id="unknown-worker"),
        pytest.param(JobScript(), 401, id="bad-token"),
    ],
)
def test_refusals_name_the_bridge_and_push_nothing(
    bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch, script: JobScript, status: int
) -> None:
    if status == 422:
        bridge.workers = frozenset({"OtherWorker"})
    else:
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_TOKEN", "stale")

    with pytest.raises(BridgeError, match=f"POST {bridge.url}/v1/jobs: HTTP {status}: "):
        run_job("ChargeWorker", [1])

    assert bridge.jobs == [] and len(bridge.requests) == 1


def test_arguments_that_are_not_json_are_not_enqueued(bridge: FakeBridge) -> None:
    with pytest.raises(NotEnqueued, match="ChargeWorker: not enqueued, its arguments are not JSON"):
        run_job("ChargeWorker", [float("nan")])

    assert bridge.requests == []


def test_a_key_reused_with_other_arguments_is_a_bridge_error(bridge: FakeBridge) -> None:
    call = Call("b2f-fixed", 1, None)
    config = load_config()
    first = bridge_module.enqueue(config, "ChargeWorker", [1], None, call)
    again = bridge_module.enqueue(config, "ChargeWorker", [1], None, call)

    with pytest.raises(BridgeError, match="HTTP 409: the idempotency key was used before"):
        bridge_module.enqueue(config, "ChargeWorker", [2], None, call)

    assert (first.jid, first.created) == ("jid-1", True)
    assert (again.jid, again.created) == ("jid-1", False)
    assert len(bridge.jobs) == 1
