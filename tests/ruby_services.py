"""Real Redis, a real Sidekiq process and the generated bridge's Rack app on loopback,
for the tests of the Ruby bridge (tests/test_bridge_ruby.py).

Each service is a process group of its own, ended in `Services.close` (also when a test
or a start fails). Without ruby or redis-server the tests are skipped, except where
BATCH2FLOW_REQUIRE_RUBY=1 (set by .ci/run): there a missing tool fails them.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from batch2flow.processes import Services, free_port, start_bridge

TOOLS = ("ruby", "redis-server", "sidekiq", "puma")
#: the Ruby libraries the test apps load (Debian's ruby-sidekiq, ruby-activejob, ruby-redis)
LIBRARIES = ("sidekiq", "active_job", "redis")


def require_tools() -> None:
    """Skip (or, where Ruby is required, fail) when a tool the services need is missing."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing:
        missing = [f"the Ruby library {name}" for name in LIBRARIES if not _loads(name)]
    if not missing:
        return
    message = f"the Ruby bridge tests need {', '.join(missing)} (apt-get: see .ci/run)"
    if os.environ.get("BATCH2FLOW_REQUIRE_RUBY") == "1" or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@functools.cache
def _loads(library: str) -> bool:
    done = subprocess.run(["ruby", "-e", f"require {json.dumps(library)}"], capture_output=True, check=False)
    return done.returncode == 0


class Redis:
    """Just enough RESP to read and reset what the workers write."""

    def __init__(self, port: int) -> None:
        self.port = port

    def call(self, *command: str) -> object:
        payload = f"*{len(command)}\r\n" + "".join(f"${len(c.encode())}\r\n{c}\r\n" for c in command)
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
            conn.sendall(payload.encode())
            return _reply(conn.makefile("rb"))

    def effects(self) -> list[object]:
        found = self.call("LRANGE", "effects", "0", "-1")
        assert isinstance(found, list)
        return [json.loads(item) for item in found]


def _reply(stream: object) -> object:
    line = stream.readline().rstrip(b"\r\n")  # type: ignore[attr-defined]
    kind, rest = line[:1], line[1:].decode()
    if kind in (b"+", b"-"):
        return rest
    if kind == b":":
        return int(rest)
    if kind == b"$":
        return None if rest == "-1" else stream.read(int(rest) + 2)[:-2].decode()  # type: ignore[attr-defined]
    return [_reply(stream) for _ in range(int(rest))]


def http(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, object]]:
    """(status, JSON body) of one request; an error status is an answer too."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@dataclass
class RunningBridge:
    url: str
    redis: Redis
    services: Services
    bridge_dir: Path


@contextmanager
def bridge_services(root: Path, app: Path, queues: tuple[str, ...], token: str,
                    config: Path | None = None) -> Iterator[RunningBridge]:
    """Generate the bridge for `app`, then start Redis, Sidekiq (loading
    `config`/sidekiq_boot.rb, by default `app`/config, listening on `queues`) and puma
    serving the bridge (booting `config`/environment.rb); stop them all on the way out,
    whatever happened."""
    config = config or app / "config"
    from batch2flow import writer
    from batch2flow.codegen.bridge_files import build_bridge

    require_tools()
    bridge_dir = root / "bridge"
    output = build_bridge([str(app)])
    writer.apply(bridge_dir, writer.plan_writes(bridge_dir, output.files), force=False)
    redis_port = free_port()
    env = {
        **os.environ,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "BATCH2FLOW_BRIDGE_TOKEN": token,
        "BATCH2FLOW_APP_ROOT": str(app),
        "BATCH2FLOW_BRIDGE_DIR": str(bridge_dir),
        "BATCH2FLOW_REQUIRE": str(config / "environment.rb"),
    }
    services = Services(root, env)
    redis = Redis(redis_port)
    try:
        url = start_bridge(services, bridge_dir=bridge_dir, redis_port=redis_port,
                           sidekiq_boot=config / "sidekiq_boot.rb", queues=list(queues), token=token,
                           concurrency=2)
        # the tests read what the jobs did: wait until a Sidekiq process runs them
        services.wait("sidekiq", lambda: bool(redis.call("SMEMBERS", "processes")), "sidekiq")
        yield RunningBridge(url, redis, services, bridge_dir)
    finally:
        services.close()


def point_client_at(running: RunningBridge, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the flows' bridge client talk to `running`, polling quickly; forget earlier effects."""
    from batch2flow.runtime import bridge as bridge_client

    monkeypatch.setattr(bridge_client, "POLL_INITIAL_SECONDS", 0.02)
    monkeypatch.setattr(bridge_client, "POLL_MAX_SECONDS", 0.1)
    monkeypatch.delenv("BATCH2FLOW_BRIDGE_BLOCK", raising=False)
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_URL", running.url)
    monkeypatch.setenv("BATCH2FLOW_BRIDGE_TOKEN", token)
    running.redis.call("DEL", "effects")


def generated_flow(app: Path, workflow: str, folder: Path) -> ModuleType:
    """`app` converted with `--tasks ruby`; the flow module of `workflow`, imported from a
    file as a Prefect worker imports it."""
    from batch2flow.convert import convert

    path = folder / f"{workflow}.py"
    path.write_text(convert([str(app)], tasks="ruby").files[f"flows/{workflow}.py"], encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"generated_{workflow}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
