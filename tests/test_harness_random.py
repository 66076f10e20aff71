"""The test harness keeps background threads off the global `random` (see conftest.py)."""

from __future__ import annotations

import importlib
import random
import threading

from conftest import isolate_background_random


def test_a_websocket_keepalive_ping_leaves_the_global_random_state_alone():
    connection = importlib.import_module("websockets.asyncio.connection")
    isolate_background_random()
    before = random.getstate()
    # what the keepalive does from Prefect's event loop thread, many times over
    pinger = threading.Thread(target=lambda: [connection.random.getrandbits(32) for _ in range(1000)])
    pinger.start()
    pinger.join()
    assert random.getstate() == before

