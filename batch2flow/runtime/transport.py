"""One JSON request to the bridge (docs/bridge-protocol.md), retrying only what a restart
or a proxy hiccup causes.

Plain `http.client`, not urllib: urllib follows redirects (and would send the bearer token
to whatever host a 3xx names) and opens file:// URLs. Here a 3xx is an error, each request
has one overall deadline (a bridge that drips bytes cannot hold a task), an answer larger
than `MAX_ANSWER_BYTES` is refused, and no message carries the token or URL credentials.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from dataclasses import dataclass

from batch2flow.runtime.errors import BridgeError
from batch2flow.runtime.where import Endpoint

#: how many times a transient failure is retried before BridgeError (so 6 attempts in all)
TRANSIENT_RETRIES = 5
#: first pause after a transient failure; doubles each time (tests set it near 0)
TRANSIENT_BACKOFF_SECONDS = 0.5
#: one request, connect to last byte; the job itself is waited for by polling, not here
REQUEST_DEADLINE_SECONDS = 30.0
#: an answer of the protocol is a few hundred bytes; a job's result may be bigger, not this
MAX_ANSWER_BYTES = 1 << 20

# A gateway answers these while the bridge restarts or scales; anything else is an answer.
_TRANSIENT_STATUS = frozenset({502, 503, 504})


@dataclass(frozen=True)
class Answer:
    #: HTTP status, 2xx only (anything else raised)
    status: int
    #: the decoded JSON body
    body: object


class _Transient(Exception):
    pass


def request_json(endpoint: Endpoint, method: str, path: str, body: object = None,
                 headers: dict[str, str] | None = None, answers: frozenset[int] = frozenset()) -> Answer:
    """Send `body` as JSON (when not None) to `path` under the bridge URL; return the 2xx
    answer, or one whose status is in `answers` (a 409 that says something to the caller).
    A request retried after a transient failure is sent again byte for byte (the enqueue
    carries an Idempotency-Key, so the bridge answers a repeat with the same job)."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    sent = {"Accept": "application/json", **(headers or {})}
    if data is not None:
        sent["Content-Type"] = "application/json"
    if endpoint.token:
        sent["Authorization"] = f"Bearer {endpoint.token}"
    where = f"{method} {endpoint.shown(path)}"
    for attempt in range(TRANSIENT_RETRIES + 1):
        try:
            status, raw = _send(endpoint, method, path, data, sent)
            return Answer(status, _decode(endpoint, where, status, raw, answers))
        except _Transient as exc:
            if attempt == TRANSIENT_RETRIES:
                raise BridgeError(
                    f"{where}: bridge unavailable after {attempt + 1} attempts: {exc}"
                ) from None
            time.sleep(TRANSIENT_BACKOFF_SECONDS * 2**attempt)
    raise AssertionError("unreachable: the loop returns or raises")


def _send(endpoint: Endpoint, method: str, path: str, data: bytes | None,
          headers: dict[str, str]) -> tuple[int, bytes]:
    deadline = time.monotonic() + REQUEST_DEADLINE_SECONDS
    connection = endpoint.connection(REQUEST_DEADLINE_SECONDS)
    try:
        connection.request(method, endpoint.path(path), body=data, headers=headers)
        sock = connection.sock  # the response reads from it; getresponse may detach it
        _shorten(sock, deadline)
        response = connection.getresponse()
        return response.status, _read(endpoint, method, path, response, sock, deadline)
    except (ConnectionError, TimeoutError, http.client.IncompleteRead) as exc:
        # refused, reset (also mid-answer), or the deadline passed: the bridge may have
        # got the request or not; the repeat is safe either way
        raise _Transient(_reason(exc)) from None
    except http.client.HTTPException as exc:
        where = f"{method} {endpoint.shown(path)}"
        raise BridgeError(f"{where}: not an HTTP answer: {type(exc).__name__}") from None
    except OSError as exc:  # no route, name not resolved, TLS refused
        where = f"{method} {endpoint.shown(path)}"
        raise BridgeError(f"{where}: cannot reach the bridge: {_reason(exc)}") from None
    finally:
        connection.close()


def _read(endpoint: Endpoint, method: str, path: str, response: http.client.HTTPResponse,
          sock: socket.socket | None, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        _shorten(sock, deadline)
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise BridgeError(
                f"{method} {endpoint.shown(path)}: answer larger than {MAX_ANSWER_BYTES} bytes, refused"
            )
        chunks.append(chunk)


def _shorten(sock: socket.socket | None, deadline: float) -> None:
    # each blocking read waits at most until the request's deadline, not 30 s afresh
    if sock is not None:
        sock.settimeout(_left(deadline))


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(f"no complete answer within {REQUEST_DEADLINE_SECONDS:g} s")
    return left


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


def _decode(endpoint: Endpoint, where: str, status: int, raw: bytes, answers: frozenset[int]) -> object:
    if status in _TRANSIENT_STATUS:
        raise _Transient(f"HTTP {status}")
    if 300 <= status < 400:
        raise BridgeError(
            f"{where}: HTTP {status}, a redirect: not followed, so the token goes to no other "
            "host. Set the bridge URL to the address the bridge answers on itself."
        )
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
        if 200 <= status < 300:
            raise BridgeError(f"{where}: the answer is not JSON: {endpoint.redact(raw[:200])!r}") from None
    if 200 <= status < 300 or status in answers:
        return body
    raise BridgeError(f"{where}: HTTP {status}: {_refusal(status)}{_said(endpoint, body, raw)}")


def _refusal(status: int) -> str:
    return {
        400: "the bridge could not read the request (a client and bridge of different protocol versions?)",
        401: "the bridge refused the token: check BATCH2FLOW_BRIDGE_TOKEN or the block's token",
        403: "the bridge refused the token: check BATCH2FLOW_BRIDGE_TOKEN or the block's token",
        404: "the bridge has no such job or path (is the URL the bridge's, with no /v1?)",
        409: "the idempotency key was used before for a job with other class, arguments or queue",
        413: "the request is too large for the bridge: pass ids, not data, as job arguments",
        422: "the bridge refused the job: a worker it does not allow, or arguments that are not "
             "JSON-native (regenerate the bridge's allowlist from the same graph as the flows)",
    }.get(status, "the bridge refused the request")


def _said(endpoint: Endpoint, body: object, raw: bytes) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        text = body["error"]
    else:
        text = raw[:300].decode("utf-8", "replace")
    text = endpoint.redact(text.strip())
    return f"; it said: {text[:300]}" if text else ""
