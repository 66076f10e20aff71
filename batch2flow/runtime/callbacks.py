"""Callback blocks of a generated flow, each run in its own thread.

A Sidekiq callback fires when its batch is done, whatever the other batches are
doing. A flow body is one Python function, so a callback that reads its batch's
`status` or waits for a `:death` would hold up every line after it, including jobs
that wait for nothing of that batch. Each callback block is therefore a nested
function the flow hands to `WorkflowRun.callback`: it runs in a thread of its own
(with the flow run's context, so it can submit tasks) once the blocks it needs have
submitted their jobs, and blocks only itself.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable

Block = Callable[[], None]


class CallbackBlocks:
    """The callback blocks of one flow run, by function name."""

    def __init__(self, on_return: Callable[[], None] = lambda: None) -> None:
        """`on_return` is called each time a block has returned."""
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}
        self._returned: set[str] = set()
        self._errors: list[BaseException] = []
        self._on_return = on_return

    def start(self, block: Block, after: Iterable[str]) -> None:
        """Run `block` in a thread once every block named in `after` has returned.

        `after` is in an order where a block comes after the block that registers it,
        so a name still unknown once the earlier ones returned was never registered:
        its callback was not set up in this run, and there is nothing to wait for."""
        needs = tuple(after)
        context = contextvars.copy_context()
        thread = threading.Thread(target=context.run, args=(self._run, block, needs),
                                  name=f"callback {block.__name__}", daemon=True)
        with self._lock:
            if block.__name__ in self._threads:
                raise RuntimeError(f"callback block {block.__name__} registered twice in one run")
            self._threads[block.__name__] = thread
        thread.start()

    def returned(self, names: Iterable[str]) -> bool:
        """Every block named in `names` (in `after` order) has returned, or will never run:
        a name not registered once the ones before it returned was never registered."""
        with self._lock:
            return all(name in self._returned or name not in self._threads for name in names)

    def join_all(self) -> None:
        """Wait for every block, those registered by other blocks included; re-raise the
        first error a block raised, so the flow run fails as the callback did."""
        joined: set[str] = set()
        while True:
            with self._lock:
                waiting = [(name, t) for name, t in self._threads.items() if name not in joined]
            if not waiting:
                break
            for name, thread in waiting:
                thread.join()
                joined.add(name)
        if self._errors:
            raise self._errors[0]

    def _run(self, block: Block, needs: tuple[str, ...]) -> None:
        for name in needs:
            with self._lock:
                thread = self._threads.get(name)
            if thread is not None:
                thread.join()
        try:
            block()
        except BaseException as error:  # re-raised by join_all in the flow's own thread
            with self._lock:
                self._errors.append(error)
        finally:
            with self._lock:
                self._returned.add(block.__name__)
            self._on_return()
