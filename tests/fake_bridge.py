"""A Sidekiq bridge on 127.0.0.1 that speaks docs/bridge-protocol.md (version 1) exactly,
that tests script per worker, and that records every request and every job it pushed.

with FakeBridge(token="s3cret") as bridge:
    bridge.script("SlowWorker", JobScript(polls=2, result={"rows": 3}))
    ...  # point BATCH2FLOW_BRIDGE_URL at bridge.url
    assert [job.worker for job in bridge.jobs] == ["SlowWorker"]
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = re.compile(r"[A-Za-z0-9._:-]{1,200}")
FIELDS = {"class", "args", "queue", "run_attempt"}
STATES = ("queued", "running", "retrying", "succeeded", "dead")


@dataclass
class JobScript:
    """How the bridge answers about the jobs of one worker."""

    #: `running` answers before the job finishes (or starts retrying)
    polls: int = 0
    #: the job's return value when it succeeds
    result: object = None
    #: when set, the job raises this ("Class: message"); it dies after `retries` retries
    error: str | None = None
    #: only the first N jobs of this worker raise (None: all); later ones succeed
    failing_jobs: int | None = None
    #: `retrying` answers (retry_count 1, 2, ...) before a raising job is dead
    retries: int = 0
    #: the job never finishes
    forever: bool = False
    #: the job stays running until this is set
    finish: threading.Event | None = None
    #: the first N enqueues of this worker answer 503 and push nothing
    unavailable: int = 0
    #: the first N enqueues do their work (push the job, or find it), then answer 502
    #: (a gateway losing the answer)
    lost_answers: int = 0
    #: the first N enqueues do their work, then reset the connection without an answer
    resets: int = 0
    #: the first N polls of each of its jobs answer 503
    unavailable_polls: int = 0
    #: enqueues answer 302 to this URL and push nothing
    redirect: str | None = None
    #: answer the enqueue with these bytes (status 201) instead of a jid
    raw_enqueue: bytes | None = None
    #: answer each poll with these bytes (status 200) instead of a state
    raw_poll: bytes | None = None


@dataclass
class Recorded:
    method: str
    path: str
    #: header names in lower case
    headers: dict[str, str]
    #: the body as JSON, None when empty or not JSON (see `raw`)
    body: object = None
    raw: bytes = b""


@dataclass
class Job:
    """One job the bridge pushed to Sidekiq."""

    jid: str
    worker: str
    args: list[object]
    queue: str | None
    key: str
    script: JobScript
    dies: bool
    polled: int = 0
    refused: int = 0


@dataclass
class _Key:
    worker: str
    args: list[object]
    queue: str | None
    jid: str
    run_attempt: int


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    #: close the connection with a reset instead of answering
    reset: bool = False


def error(status: int, message: str) -> Reply:
    return Reply(status, json.dumps({"error": message}).encode())


@dataclass
class FakeBridge:
    #: expected bearer token; None accepts requests without one
    token: str | None = None
    #: the allowlist; None allows every worker
    workers: frozenset[str] | None = None
    #: bodies larger than this are answered 413
    max_body: int = 1 << 20
    requests: list[Recorded] = field(default_factory=list)
    #: every job pushed, in order
    jobs: list[Job] = field(default_factory=list)
    _scripts: dict[str, JobScript] = field(default_factory=dict)
    _keys: dict[str, _Key] = field(default_factory=dict)
    _counts: dict[tuple[str, str], int] = field(default_factory=dict)
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

    def job(self, jid: str) -> Job:
        return next(job for job in self.jobs if job.jid == jid)

    def answer(self, request: Recorded, raw: bytes) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.token is not None and request.headers.get("authorization") != f"Bearer {self.token}":
                return error(401, "missing or wrong bearer token")
            if request.method == "POST" and request.path == "/v1/jobs":
                return self._enqueue(request, raw)
            jid = request.path.removeprefix("/v1/jobs/")
            job = next((j for j in self.jobs if j.jid == jid), None)
            if request.method != "GET" or not request.path.startswith("/v1/jobs/") or job is None:
                return error(404, "no such job")
        return self._poll(job)

    def _enqueue(self, request: Recorded, raw: bytes) -> Reply:
        if len(raw) > self.max_body:
            return error(413, f"body larger than {self.max_body} bytes")
        key = request.headers.get("idempotency-key", "")
        if not KEY.fullmatch(key):
            return error(400, "Idempotency-Key missing or malformed")
        body = request.body
        if not _well_formed(body):
            return error(400, "body must be a JSON object of exactly class, args, queue, run_attempt")
        assert isinstance(body, dict)
        worker, args, queue, attempt = body["class"], body["args"], body["queue"], body["run_attempt"]
        if (self.workers is not None and worker not in self.workers) or not _json_native(args):
            return error(422, f"unknown worker {worker}, or args not an array of JSON-native values")
        script = self._scripts.get(worker, JobScript())
        if script.redirect is not None:
            return Reply(302, b"", (("Location", script.redirect),))
        if self._count(worker, "unavailable") < script.unavailable:
            return Reply(503, b"busy")
        known = self._keys.get(key)
        if known is not None and (known.worker, known.args, known.queue) != (worker, args, queue):
            return error(409, "Idempotency-Key used before with other class, args or queue")
        if known is not None and not (self._state(self.job(known.jid))[0] == "dead"
                                      and attempt > known.run_attempt):
            state = self._state(self.job(known.jid))[0]
            return self._lose(worker, Reply(200, json.dumps({"jid": known.jid, "state": state}).encode()))
        jid = f"jid-{next(self._ids)}"
        pushed = len([j for j in self.jobs if j.worker == worker])
        dies = script.error is not None and (script.failing_jobs is None or pushed < script.failing_jobs)
        self.jobs.append(Job(jid, worker, args, queue, key, script, dies))
        self._keys[key] = _Key(worker, args, queue, jid, attempt)
        if script.raw_enqueue is not None:
            return Reply(201, script.raw_enqueue)
        return self._lose(worker, Reply(201, json.dumps({"jid": jid, "state": "queued"}).encode()))

    def _lose(self, worker: str, reply: Reply) -> Reply:
        """The reply, or what reaches the client when a gateway or the network loses it."""
        script = self._scripts.get(worker, JobScript())
        if self._count(worker, "lost") < script.lost_answers:
            return Reply(502, b"<html>Bad Gateway</html>")
        if self._count(worker, "reset") < script.resets:
            return Reply(0, reset=True)
        return reply

    def _count(self, worker: str, what: str) -> int:
        """How often `what` happened to `worker` before; counts this time."""
        seen = self._counts.get((worker, what), 0)
        self._counts[(worker, what)] = seen + 1
        return seen

    def _poll(self, job: Job) -> Reply:
        script = job.script
        with self._lock:
            if job.refused < script.unavailable_polls:
                job.refused += 1
                return Reply(503, b"busy")
            if script.raw_poll is not None:
                return Reply(200, script.raw_poll)
            job.polled += 1
            state, retry_count = self._state(job)
        answer: dict[str, object] = {"jid": job.jid, "state": state, "retry_count": retry_count,
                                     "error": None, "result": None}
        if state in ("retrying", "dead"):
            name, _, message = (script.error or "").partition(": ")
            answer["error"] = {"class": name, "message": message}
        if state == "succeeded":
            answer["result"] = script.result
        return Reply(200, json.dumps(answer).encode())

    def _state(self, job: Job) -> tuple[str, int]:
        """The job's state after the polls it had, and its retry count."""
        script = job.script
        unfinished = script.finish is not None and not script.finish.is_set()
        if script.forever or unfinished or job.polled <= script.polls:
            return ("running" if job.polled else "queued"), 0
        if not job.dies:
            return "succeeded", 0
        retried = job.polled - script.polls
        if retried <= script.retries:
            # as Sidekiq counts: 0 after the first failure, before any retry started
            return "retrying", retried - 1
        return "dead", script.retries


def _well_formed(body: object) -> bool:
    if not isinstance(body, dict) or not FIELDS <= set(body) <= FIELDS | {"batch", "in"}:
        return False
    batch = body.get("batch")
    if batch is not None and not (isinstance(batch, dict) and isinstance(batch.get("bid"), str)):
        return False
    attempt = body["run_attempt"]
    return (isinstance(body["class"], str) and bool(body["class"])
            and (body["queue"] is None or isinstance(body["queue"], str))
            and isinstance(attempt, int) and not isinstance(attempt, bool) and attempt >= 1)


def _json_native(args: object) -> bool:
    return isinstance(args, list) and all(_native(item) for item in args)


def _native(value: object) -> bool:
    if isinstance(value, list):
        return all(_native(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _native(v) for k, v in value.items())
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**63
    return value is None or isinstance(value, (str, bool, float))


class _Handler(BaseHTTPRequestHandler):
    bridge: FakeBridge

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Recorded(self.command, self.path, headers, body, raw)
        if self.command == "POST" and raw and body is None:
            self.bridge.requests.append(request)
            reply = error(400, "the body is not JSON")
        else:
            reply = self.bridge.answer(request, raw)
        if reply.reset:
            # RST instead of FIN: the client sees a reset connection, not an answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output to the test's own


class Recorder:
    """Another loopback server that answers 200 `{}` to anything and records who came."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []

    def __enter__(self) -> Recorder:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                recorder.requests.append(Recorded(self.command, self.path, headers, None, raw))
                body = b'{"jid": "elsewhere", "state": "succeeded"}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
