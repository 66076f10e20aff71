"""run_job in real mode against a fake bridge: the protocol, its failures, its configuration."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from fake_bridge import FakeBridge, JobScript, Recorded

from batch2flow.runtime import BridgeError, BridgeTimeout, SidekiqJobFailed, run_job, transport
from batch2flow.runtime import bridge as bridge_module
from batch2flow.runtime.config import load_config
from batch2flow.runtime.where import Endpoint

TOKEN = "s3cret"
ENV = (
    "BATCH2FLOW_BRIDGE_BLOCK",
    "BATCH2FLOW_BRIDGE_URL",
    "BATCH2FLOW_BRIDGE_TOKEN",
    "BATCH2FLOW_BRIDGE_TIMEOUT",
)


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """No configuration from the outside, and waits short enough for a unit test."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(bridge_module, "POLL_INITIAL_SECONDS", 0.005)
    monkeypatch.setattr(bridge_module, "POLL_MAX_SECONDS", 0.01)
    monkeypatch.setattr(transport, "TRANSIENT_BACKOFF_SECONDS", 0.005)


@pytest.fixture
def bridge(fast: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBridge]:
    with FakeBridge(token=TOKEN) as fake:
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", fake.url + "/")
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_TOKEN", TOKEN)
        yield fake


def _polls(bridge: FakeBridge) -> list[Recorded]:
    return [r for r in bridge.requests if r.method == "GET"]


def test_enqueues_then_polls_until_the_job_succeeds(bridge: FakeBridge) -> None:
    bridge.script("Billing::ChargeWorker", JobScript(polls=2, result={"rows": 3}))

    assert run_job("Billing::ChargeWorker", [1, "a"], queue="critical") == {"rows": 3}

    post, *polls = bridge.requests
    assert (post.method, post.path) == ("POST", "/v1/jobs")
    assert post.body == {"class": "Billing::ChargeWorker", "args": [1, "a"], "queue": "critical",
                         "run_attempt": 1}
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert post.headers["content-type"] == "application/json"
    assert post.headers["idempotency-key"].startswith("b2f-")
    assert [(r.method, r.path) for r in polls] == [("GET", "/v1/jobs/jid-1")] * 3
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in polls)


def test_no_queue_is_sent_as_null_and_no_token_as_no_header(
    fast: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeBridge() as fake:
        monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", fake.url)
        assert run_job("PlainWorker", []) is None
    assert fake.requests[0].body == {"class": "PlainWorker", "args": [], "queue": None, "run_attempt": 1}
    assert "authorization" not in fake.requests[0].headers


def test_a_dead_job_raises_sidekiq_job_failed_after_its_sidekiq_retries(bridge: FakeBridge) -> None:
    bridge.script("BrokenWorker", JobScript(polls=1, retries=2, error="ActiveRecord::RecordNotFound: user 7"))

    with pytest.raises(SidekiqJobFailed) as caught:
        run_job("BrokenWorker", [7])

    assert (caught.value.worker, caught.value.jid) == ("BrokenWorker", "jid-1")
    assert caught.value.error == "ActiveRecord::RecordNotFound: user 7"
    assert "BrokenWorker" in str(caught.value) and "user 7" in str(caught.value)
    # Sidekiq retried it twice (running, retrying, retrying, dead); the client pushed it once
    assert len(bridge.jobs) == 1 and len(_polls(bridge)) == 4


def test_a_job_that_never_finishes_times_out(bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch) -> None:
    bridge.script("StuckWorker", JobScript(forever=True))
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_TIMEOUT", "0.2")
    started = time.monotonic()

    with pytest.raises(BridgeTimeout, match=r"StuckWorker \(jid jid-1\) still running after 0.2 s") as caught:
        run_job("StuckWorker", [])

    assert 0.2 <= time.monotonic() - started < 2
    assert len(bridge.requests) > 3  # it kept polling until the deadline
    assert bridge.url in str(caught.value) and TOKEN not in str(caught.value)


def test_poll_pauses_double_up_to_the_cap(bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(bridge_module, "sleep", pauses.append)
    monkeypatch.setattr(bridge_module, "POLL_INITIAL_SECONDS", 0.5)
    monkeypatch.setattr(bridge_module, "POLL_MAX_SECONDS", 10.0)
    bridge.script("SlowWorker", JobScript(polls=7))

    run_job("SlowWorker", [])

    assert pauses == [0.5, 1, 2, 4, 8, 10, 10]


def test_503_answers_are_retried(bridge: FakeBridge) -> None:
    bridge.script("FlakyWorker", JobScript(unavailable=3, unavailable_polls=2, polls=1, result="ok"))

    assert run_job("FlakyWorker", []) == "ok"
    assert [r.method for r in bridge.requests] == ["POST"] * 4 + ["GET"] * 4
    assert len({r.headers["idempotency-key"] for r in bridge.requests if r.method == "POST"}) == 1


def test_503_more_than_five_times_is_a_bridge_error(bridge: FakeBridge) -> None:
    bridge.script("DownWorker", JobScript(unavailable=6))

    with pytest.raises(BridgeError, match=r"POST .*/v1/jobs: bridge unavailable after 6 attempts: HTTP 503"):
        run_job("DownWorker", [])
    assert len(bridge.requests) == 6 and bridge.jobs == []


def test_a_refused_connection_is_retried_then_reported(fast: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", f"http://127.0.0.1:{port}")

    refused = f"POST http://127.0.0.1:{port}/v1/jobs: .*after 6 attempts: .*refused"
    with pytest.raises(BridgeError, match=refused):
        run_job("AnyWorker", [])


def test_a_wrong_token_is_a_bridge_error_with_the_answer(
    bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_TOKEN", "stale")

    refused = "HTTP 401: the bridge refused the token.*missing or wrong"
    with pytest.raises(BridgeError, match=refused) as caught:
        run_job("AnyWorker", [])
    assert len(bridge.requests) == 1  # a 4xx is not retried
    assert "stale" not in str(caught.value)


def test_a_400_is_a_bridge_error_with_the_answer(bridge: FakeBridge) -> None:
    endpoint = Endpoint.parse(bridge.url, TOKEN)
    with pytest.raises(BridgeError, match="HTTP 400: .*exactly class, args, queue, run_attempt"):
        transport.request_json(endpoint, "POST", "/v1/jobs", {"class": "AnyWorker"}, {"Idempotency-Key": "k"})


@pytest.mark.parametrize(
    ("script", "message"),
    [
        pytest.param(
            JobScript(raw_poll=b"<html>oops</html>"),
            r"GET http://\S+/v1/jobs/jid-1: the answer is not JSON",
            id="poll-not-json",
        ),
        pytest.param(
            JobScript(raw_poll=b'{"jid": "jid-1", "state": "lost"}'),
            r"GET http://\S+/v1/jobs/jid-1: expected a job's state",
            id="poll-unknown-status",
        ),
        pytest.param(JobScript(raw_poll=b"[1, 2]"), "expected a job's state", id="poll-not-an-object"),
        pytest.param(
            # the old protocol's answer: a job never seen as succeeded is not reported so
            JobScript(raw_poll=b'{"jid": "jid-1", "status": "succeeded"}'),
            "expected a job's state", id="poll-old-protocol",
        ),
        pytest.param(
            JobScript(raw_enqueue=b'{"id": 1}'),
            r"POST http://\S+/v1/jobs: expected 201 or 200 with \{\"jid\"",
            id="enqueue-without-jid",
        ),
        pytest.param(
            JobScript(raw_enqueue=b"ok"),
            r"POST http://\S+/v1/jobs: the answer is not JSON",
            id="enqueue-not-json",
        ),
    ],
)
def test_malformed_answers_are_bridge_errors_naming_the_url(
    bridge: FakeBridge, script: JobScript, message: str
) -> None:
    bridge.script("OddWorker", script)

    with pytest.raises(BridgeError, match=message):
        run_job("OddWorker", [])


def test_environment_configuration(fast: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", " https://bridge.internal:8443/ ")
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_TOKEN", "t0k")
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_TIMEOUT", "90")

    config = load_config()

    assert (config.url, config.token, config.timeout_seconds) == ("https://bridge.internal:8443", "t0k", 90.0)


def test_environment_defaults(fast: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", "http://bridge")

    config = load_config()

    assert (config.token, config.timeout_seconds) == (None, 6 * 3600)


def test_missing_configuration_explains_both_ways(fast: None) -> None:
    with pytest.raises(BridgeError) as caught:
        run_job("AnyWorker", [])

    assert "BATCH2FLOW_BRIDGE_BLOCK" in str(caught.value)
    assert "BATCH2FLOW_BRIDGE_URL" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BATCH2FLOW_BRIDGE_TIMEOUT", "6h", "must be a number of seconds, not '6h'"),
        ("BATCH2FLOW_BRIDGE_URL", "file:///etc/passwd", "must start with http:// or https://"),
    ],
)
def test_bad_environment_values(
    fast: None, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", "http://bridge")
    monkeypatch.setenv(name, value)

    with pytest.raises(BridgeError, match=message):
        load_config()


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("reference", ["b2f-test-bridge", "sidekiq-bridge/b2f-test-bridge"])
def test_a_saved_block_configures_the_bridge(
    bridge: FakeBridge, monkeypatch: pytest.MonkeyPatch, reference: str
) -> None:
    from batch2flow.runtime import SidekiqBridge

    SidekiqBridge(url=bridge.url, token=TOKEN, timeout_seconds=5).save("b2f-test-bridge", overwrite=True)
    # the block wins over the environment, which points nowhere useful here
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_TOKEN", "stale")
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_BLOCK", reference)
    bridge.script("BlockWorker", JobScript(result=42))

    assert run_job("BlockWorker", []) == 42
    assert load_config().timeout_seconds == 5
    assert bridge.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.usefixtures("prefect_harness")
def test_a_missing_block_is_a_bridge_error_naming_it(fast: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_BLOCK", "no-such-bridge")

    with pytest.raises(BridgeError, match="BATCH2FLOW_BRIDGE_BLOCK='no-such-bridge'"):
        load_config()
