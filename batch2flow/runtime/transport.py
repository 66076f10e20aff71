"""One JSON request to the bridge, retrying only what a restart or a proxy hiccup causes."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request

from batch2flow.runtime.errors import BridgeError

#: how many times a transient failure is retried before BridgeError (so 4 attempts in all)
TRANSIENT_RETRIES = 3
#: first pause after a transient failure; doubles each time (tests set it near 0)
TRANSIENT_BACKOFF_SECONDS = 0.5
#: socket timeout of one request; the job itself is waited for by polling, not here
REQUEST_TIMEOUT_SECONDS = 30.0

# A gateway answers these while the bridge restarts or scales; anything else is an answer.
_TRANSIENT_STATUS = frozenset({502, 503, 504})


class _Transient(Exception):
    pass


def request_json(method: str, url: str, token: str | None, body: object = None) -> object:
    """Send `body` as JSON (when not None) and return the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    for attempt in range(TRANSIENT_RETRIES + 1):
        try:
            return _decode(method, url, _send(request))
        except _Transient as exc:
            if attempt == TRANSIENT_RETRIES:
                raise BridgeError(
                    f"{method} {url}: bridge unavailable after {attempt + 1} attempts: {exc}"
                ) from exc.__cause__
            time.sleep(TRANSIENT_BACKOFF_SECONDS * 2**attempt)
    raise AssertionError("unreachable: the loop returns or raises")


def _send(request: urllib.request.Request) -> bytes:
    where = f"{request.get_method()} {request.full_url}"
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as exc:
        with exc:  # an HTTPError holds the open response
            text = exc.read().decode("utf-8", "replace")[:2000]
        if exc.code in _TRANSIENT_STATUS:
            raise _Transient(f"HTTP {exc.code}") from exc
        raise BridgeError(f"{where}: HTTP {exc.code}: {text}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (ConnectionError, TimeoutError)):
            raise _Transient(str(exc.reason)) from exc
        raise BridgeError(f"{where}: {exc.reason}") from exc
    except (ConnectionError, TimeoutError) as exc:
        # raised unwrapped when the connection dies while the answer is read
        raise _Transient(repr(exc)) from exc
    except http.client.HTTPException as exc:
        raise BridgeError(f"{where}: not an HTTP answer: {exc!r}") from exc


def _decode(method: str, url: str, body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        raise BridgeError(f"{method} {url}: the answer is not JSON: {body[:200]!r}") from None
