"""The processes `rehearse --sidekiq` runs beside the flows: Redis, Sidekiq and the
bridge's Rack server, each a process group of its own on a loopback port, all ended in
`Services.close` whatever happened (a failed start, a failed flow, Ctrl-C)."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

START_SECONDS = 30


class ServiceFailed(RuntimeError):
    """A service exited or did not answer in time; the message holds the end of its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Services:
    #: where each service's log goes (`<name>.log`)
    root: Path
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[BinaryIO] = field(default_factory=list)

    def start(self, name: str, command: list[str], cwd: Path) -> None:
        log = (self.root / f"{name}.log").open("wb")
        self.logs.append(log)
        self.processes.append(subprocess.Popen(command, cwd=cwd, env=self.env, stdout=log,
                                               stderr=subprocess.STDOUT, start_new_session=True))

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def wait(self, what: str, ready: Callable[[], bool], name: str) -> None:
        """Until `ready()`; a service that exits or takes too long is an error with its log."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                break
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise ServiceFailed(f"{what} did not start:\n{self.log(name)}")

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self.logs:
            log.close()


def start_bridge(services: Services, *, bridge_dir: Path, redis_port: int | None, sidekiq_boot: Path,
                 queues: list[str], token: str, concurrency: int) -> str:
    """Start Redis on `redis_port` (None: one is running already, at the env's REDIS_URL),
    a Sidekiq process requiring `sidekiq_boot` and listening on `queues`, and puma serving
    the bridge in `bridge_dir`, on loopback; return the bridge's URL once it answers."""
    root = services.root
    if redis_port is not None:
        services.start("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                                 "--save", "", "--appendonly", "no", "--dir", str(root)], root)
        # Sidekiq gives up at boot on a Redis that does not answer yet
        services.wait("redis-server", lambda: _pong(redis_port), "redis")
    listened = [arg for queue in queues for arg in ("-q", queue)]
    sidekiq = _command("SIDEKIQ", "sidekiq")
    services.start("sidekiq", [*sidekiq, "-r", str(sidekiq_boot), "-c", str(concurrency), *listened], root)
    http_port = free_port()
    puma = _command("PUMA", "puma")
    services.start("puma", [*puma, "--quiet", "-b", f"tcp://127.0.0.1:{http_port}", "-t", "1:4",
                            str(bridge_dir / "config.ru")], bridge_dir)
    url = f"http://127.0.0.1:{http_port}"
    services.wait("the bridge (puma)", lambda: _healthy(url, token), "puma")
    return url


def _command(name: str, default: str) -> list[str]:
    """How to run Sidekiq or puma: `BATCH2FLOW_SIDEKIQ` / `BATCH2FLOW_PUMA` when set (an
    app with a Gemfile wants `bundle exec sidekiq`), else the one on PATH."""
    return shlex.split(os.environ.get(f"BATCH2FLOW_{name}") or default)


def _pong(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(b"PING\r\n")
        return conn.recv(16).startswith(b"+PONG")


def _healthy(url: str, token: str) -> bool:
    request = urllib.request.Request(url + "/v1/health", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=2) as answer:
            return bool(answer.status == 200)
    except urllib.error.HTTPError:
        return False
