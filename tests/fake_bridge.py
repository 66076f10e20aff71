"""A Sidekiq bridge on 127.0.0.1 that tests script per worker and that records every request.

with FakeBridge(token="s3cret") as bridge:
    bridge.script("SlowWorker", JobScript(polls=2, result={"rows": 3}))
    ...  # point BATCH2FLOW_BRIDGE_URL at bridge.url
    assert bridge.requests[0].body["class"] == "SlowWorker"
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class JobScript:
    """How the bridge answers about the jobs of one worker."""

    #: `running` answers before the job finishes
    polls: int = 0
    #: the job's return value when it succeeds
    result: object = None
    #: when set, the job fails with this error message
    error: str | None = None
    #: the job never finishes
    forever: bool = False
    #: the first N enqueues of this worker answer 503
    unavailable: int = 0
    #: the first N polls of each of its jobs answer 503
    unavailable_polls: int = 0
    #: answer the enqueue with these bytes (status 201) instead of a jid
    raw_enqueue: bytes | None = None
    #: answer each poll with these bytes (status 200) instead of a status
    raw_poll: bytes | None = None


@dataclass
class Recorded:
    method: str
    path: str
    #: header names in lower case
    headers: dict[str, str]
    body: object = None


@dataclass
class _Job:
    worker: str
    script: JobScript
    polled: int = 0
    refused: int = 0


@dataclass
class FakeBridge:
    #: expected bearer token; None accepts requests without one
    token: str | None = None
    requests: list[Recorded] = field(default_factory=list)
    _scripts: dict[str, JobScript] = field(default_factory=dict)
    _jobs: dict[str, _Job] = field(default_factory=dict)
    _unavailable: dict[str, int] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, worker: str, script: JobScript) -> None:
        self._scripts[worker] = script

    def __enter__(self) -> FakeBridge:
        handler = type("Handler", (_Handler,), {"bridge": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def answer(self, request: Recorded) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append(request)
            if self.token is not None and request.headers.get("authorization") != f"Bearer {self.token}":
                return 401, b'{"error": "missing or wrong bearer token"}'
            if request.method == "POST" and request.path == "/jobs":
                return self._enqueue(request.body)
            job = self._jobs.get(request.path.removeprefix("/jobs/"))
            if request.method != "GET" or job is None:
                return 404, b'{"error": "no such job"}'
            return self._poll(request.path.removeprefix("/jobs/"), job)

    def _enqueue(self, body: object) -> tuple[int, bytes]:
        if not isinstance(body, dict) or set(body) != {"class", "args", "queue", "retry"}:
            return 400, b'{"error": "body must have exactly class, args, queue, retry"}'
        script = self._scripts.get(body["class"], JobScript())
        refused = self._unavailable.get(body["class"], 0)
        if refused < script.unavailable:
            self._unavailable[body["class"]] = refused + 1
            return 503, b"busy"
        if script.raw_enqueue is not None:
            return 201, script.raw_enqueue
        jid = f"jid-{next(self._ids)}"
        self._jobs[jid] = _Job(body["class"], script)
        return 201, json.dumps({"jid": jid}).encode()

    def _poll(self, jid: str, job: _Job) -> tuple[int, bytes]:
        script = job.script
        if job.refused < script.unavailable_polls:
            job.refused += 1
            return 503, b"busy"
        if script.raw_poll is not None:
            return 200, script.raw_poll
        job.polled += 1
        answer: dict[str, object] = {"jid": jid, "status": "running", "result": None, "error": None}
        if not script.forever and job.polled > script.polls:
            answer["status"] = "failed" if script.error is not None else "succeeded"
            answer["result"], answer["error"] = script.result, script.error
        return 200, json.dumps(answer).encode()


class _Handler(BaseHTTPRequestHandler):
    bridge: FakeBridge

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        request = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        status, payload = self.bridge.answer(request)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output to the test's own
