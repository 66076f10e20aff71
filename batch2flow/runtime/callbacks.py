"""Callback blocks of a generated flow, each run in its own thread.

A Sidekiq callback fires when its batch is done, whatever the other batches are
doing. A flow body is one Python function, so a callback that reads its batch's
`status` or waits for a `:death` would hold up every line after it, including jobs
that wait for nothing of that batch. Each callback block is therefore a nested
function the flow hands to `WorkflowRun.callback`: it runs in a thread of its own
(with the flow run's context, so it can submit tasks) once the blocks it needs have
submitted their jobs, and blocks only itself.

A batch built once per item of a loop is laid out as a function the flow calls per
item (`WorkflowRun.each`): its callback blocks are defined once per item, under the
same function name. A block is therefore known by its name and the item it was
registered for (`item_path`, one index per per-item function it is nested in), and a
name in `after` means the block of the nearest item that registered it.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable

Block = Callable[[], None]

#: the items of the per-item functions the running code is nested in, outermost first
_ITEM_PATH: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar("batch2flow_item_path",
                                                                           default=())
_Key = tuple[tuple[int, ...], str]


def for_each_item(items: Iterable[object], body: Callable[[object], None]) -> None:
    """Call `body` once per item, each call's callback blocks known under its own item."""
    for index, item in enumerate(items):
        token = _ITEM_PATH.set((*_ITEM_PATH.get(), index))
        try:
            body(item)
        finally:
            _ITEM_PATH.reset(token)


class CallbackBlocks:
    """The callback blocks of one flow run, by function name."""

    def __init__(self, on_return: Callable[[], None] = lambda: None) -> None:
        """`on_return` is called each time a block has returned."""
        self._lock = threading.Lock()
        self._threads: dict[_Key, threading.Thread] = {}
        self._returned: set[_Key] = set()
        self._errors: list[BaseException] = []
        self._on_return = on_return

    def start(self, block: Block, after: Iterable[str]) -> None:
        """Run `block` in a thread once every block named in `after` has returned.

        `after` is in an order where a block comes after the block that registers it,
        so a name still unknown once the earlier ones returned was never registered:
        its callback was not set up in this run, and there is nothing to wait for."""
        needs = tuple(after)
        key = (_ITEM_PATH.get(), block.__name__)
        context = contextvars.copy_context()
        thread = threading.Thread(target=context.run, args=(self._run, block, key, needs),
                                  name=f"callback {block.__name__}", daemon=True)
        with self._lock:
            if key in self._threads:
                raise RuntimeError(f"callback block {block.__name__} registered twice in one run")
            self._threads[key] = thread
        thread.start()

    def returned(self, names: Iterable[str]) -> bool:
        """Every block named in `names` (in `after` order) has returned, or will never run:
        a name not registered once the ones before it returned was never registered."""
        path = _ITEM_PATH.get()
        with self._lock:
            found = [self._find(name, path) for name in names]
            return all(key is None or key in self._returned for key in found)

    def _find(self, name: str, path: tuple[int, ...]) -> _Key | None:
        """The block `name` as seen from code of item `path`: its own item's, else the
        nearest enclosing one's; None when none registered it. Called under the lock."""
        for depth in range(len(path), -1, -1):
            key = (path[:depth], name)
            if key in self._threads:
                return key
        return None

    def join_all(self) -> None:
        """Wait for every block, those registered by other blocks included; re-raise the
        first error a block raised, so the flow run fails as the callback did."""
        joined: set[_Key] = set()
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

    def _run(self, block: Block, key: _Key, needs: tuple[str, ...]) -> None:
        for name in needs:
            with self._lock:
                found = self._find(name, key[0])
                thread = self._threads[found] if found is not None else None
            if thread is not None:
                thread.join()
        try:
            block()
        except BaseException as error:  # re-raised by join_all in the flow's own thread
            with self._lock:
                self._errors.append(error)
        finally:
            with self._lock:
                self._returned.add(key)
            self._on_return()
