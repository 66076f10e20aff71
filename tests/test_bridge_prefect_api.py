"""The bridge's Prefect API client (what `Batch2flow.start_flow` starts a flow run with),
run in Ruby against a scripted HTTP server on loopback: a busy Prefect is asked again under
the same idempotency key, a redirect is an error and the credentials go nowhere else, and
no message holds them.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from ruby_services import require_tools

from batch2flow import writer
from batch2flow.codegen.bridge_files import build_bridge

FIXTURES = Path(__file__).parent.parent / "fixtures"
CREATE = """
require "json"
require File.join(ENV.fetch("BRIDGE_DIR"), "batch2flow_bridge/prefect_api")
begin
  api = Batch2flow::Bridge::PrefectApi.new
  puts JSON.generate("run" => api.create_flow_run("wf one", "wf one", {"plan" => {"batches" => []}}, "key-1"))
rescue Batch2flow::Bridge::StartFailed => e
  puts JSON.generate("error" => e.message)
end
"""


class ScriptedPrefect(BaseHTTPRequestHandler):
    """Answers each request with the next (status, headers, body) of `script`."""

    script: list[tuple[int, dict[str, str], dict[str, object]]] = []
    seen: list[dict[str, object]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.seen.append({"method": self.command, "path": self.path, "body": body,
                          "authorization": self.headers.get("Authorization")})
        status, headers, answer = self.script.pop(0)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(payload))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def bridge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tools()
    folder = tmp_path_factory.mktemp("bridge")
    files = build_bridge([str(FIXTURES / "starters")]).files
    writer.apply(folder, writer.plan_writes(folder, files), force=False)
    return folder


@pytest.fixture
def prefect() -> Iterator[str]:
    ScriptedPrefect.script, ScriptedPrefect.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedPrefect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()


def create(bridge_dir: Path, url: str, **env: str) -> dict[str, str]:
    environment = {**os.environ, "BRIDGE_DIR": str(bridge_dir), "PREFECT_API_URL": url, **env}
    environment.pop("PREFECT_API_AUTH_STRING", None)
    done = subprocess.run(["ruby", "-e", CREATE], env=environment, capture_output=True, text=True,
                          timeout=60, check=True)
    answer: dict[str, str] = json.loads(done.stdout)
    return answer


def test_a_busy_prefect_is_asked_again_under_the_same_key(bridge_dir: Path, prefect: str) -> None:
    ScriptedPrefect.script = [(200, {}, {"id": "dep-1"}), (503, {}, {}), (502, {}, {}),
                              (201, {}, {"id": "run-1"})]
    assert create(bridge_dir, prefect, PREFECT_API_KEY="pnu_secret") == {"run": "run-1"}
    seen = ScriptedPrefect.seen
    assert seen[0]["method"] == "GET" and seen[0]["path"] == "/api/deployments/name/wf%20one/wf%20one"
    posts = seen[1:]
    assert [p["path"] for p in posts] == ["/api/deployments/dep-1/create_flow_run"] * 3
    assert {json.dumps(p["body"], sort_keys=True) for p in posts} == {json.dumps(
        {"idempotency_key": "key-1", "parameters": {"plan": {"batches": []}}}, sort_keys=True)}
    assert {p["authorization"] for p in seen} == {"Bearer pnu_secret"}


def test_a_redirect_is_an_error_and_the_key_goes_nowhere_else(bridge_dir: Path, prefect: str) -> None:
    ScriptedPrefect.script = [(302, {"Location": "http://127.0.0.2:9/steal"}, {})]
    answer = create(bridge_dir, prefect, PREFECT_API_KEY="pnu_secret")
    assert "answered 302" in answer["error"]
    assert "pnu_secret" not in answer["error"]
    assert len(ScriptedPrefect.seen) == 1


def test_an_unknown_deployment_says_so_and_creates_nothing(bridge_dir: Path, prefect: str) -> None:
    ScriptedPrefect.script = [(404, {}, {"detail": "Deployment not found."})]
    answer = create(bridge_dir, prefect, PREFECT_API_KEY="pnu_secret")
    assert "answered 404" in answer["error"] and "Deployment not found" in answer["error"]
    assert [s["method"] for s in ScriptedPrefect.seen] == ["GET"]


def test_prefect_busy_every_time_fails_after_three_attempts(bridge_dir: Path, prefect: str) -> None:
    ScriptedPrefect.script = [(503, {}, {})] * 3
    answer = create(bridge_dir, prefect)
    assert "3 attempts" in answer["error"]
    assert all(s["authorization"] is None for s in ScriptedPrefect.seen)
