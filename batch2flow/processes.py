"""The processes `rehearse --sidekiq` runs beside the flows: Redis, Sidekiq and the
bridge's Rack server, each a process group of its own on a loopback port, all ended in
`Services.close` whatever happened (a failed start, a failed flow, Ctrl-C)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
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
