"""Sidekiq's `:death` over a batch whose jobs are still being added.

Sidekiq fires a batch's `:death` callback at the first death of any of its jobs (its
child batches' included), whenever it happens, jobs that other callbacks add later
included. A flow's callback block therefore cannot take one snapshot of the batch's
futures, nor wait for the blocks that add jobs before it starts watching: it watches
every future the batch holds, the ones added meanwhile too, until one dies or until
no block can add more and every one ended without a death.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefect.futures import PrefectFuture

Futures = Callable[[], "list[PrefectFuture[Any]]"]


def watch_for_death(futures: Futures, settled: Callable[[], bool], changed: threading.Condition) -> bool:
    """True at the first death among `futures()`; False once `settled()` says nothing more
    can be added and all of them ended without one. `futures()` may grow meanwhile:
    `changed` is notified whenever it or `settled()` may have changed."""
    from batch2flow.runtime.batches import died

    ended: list[PrefectFuture[Any]] = []
    watched: set[int] = set()
    checked = 0

    def on_end(future: PrefectFuture[Any]) -> None:
        with changed:
            ended.append(future)
            changed.notify_all()

    while True:
        with changed:
            while True:
                # settled first: once it holds, no block is left to add a future
                final = settled()
                fresh = [future for future in futures() if id(future) not in watched]
                if fresh or len(ended) > checked or (final and checked == len(watched)):
                    break
                changed.wait()
            watched.update(id(future) for future in fresh)
            newly, checked = ended[checked:], len(ended)
        if final and not fresh and not newly:
            return False
        for future in fresh:
            future.add_done_callback(on_end)  # at once when it has already ended
        for future in newly:
            # the callback fires when the run finished; wait() takes its final state
            future.wait()
            if died(future.state):
                return True
