"""Compute something in a forked child while this process goes on with other work.

The parsed trees cannot be sent to another process, but a forked child has them already:
it computes, pickles the result into a pipe and exits; this process reads the pipe when
it needs the result. Where there is no fork, or the child fails in any way (killed, out
of memory, a result that does not pickle), the work is done here instead, so a result
never depends on whether it came from a child.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Forked(Generic[T]):
    """`work()`, started now in a child; `result()` waits for it."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._pid: int | None = None
        self._pipe: int | None = None
        if not hasattr(os, "fork"):
            return
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns, never runs this process' exit handlers
            os.close(read_end)
            _child(work, write_end)
        os.close(write_end)
        self._pid, self._pipe = pid, read_end

    def result(self) -> T:
        if self._pid is None or self._pipe is None:
            return self._work()
        with os.fdopen(self._pipe, "rb") as pipe:
            data = pipe.read()  # to the end: the child has written all and closed its end
        _pid, status = os.waitpid(self._pid, 0)
        self._pid = self._pipe = None
        if os.waitstatus_to_exitcode(status) == 0 and data:
            try:
                value: T = pickle.loads(data)  # noqa: S301 (our own child's output)
                return value
            except Exception:  # noqa: BLE001 (a torn result: compute it here instead)
                pass
        return self._work()

    def cancel(self) -> None:
        """Stop the child and reap it, when its result will not be read after all."""
        if self._pid is None or self._pipe is None:
            return
        os.close(self._pipe)
        with contextlib.suppress(ProcessLookupError):  # it finished already
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        self._pid = self._pipe = None


def _child(work: Callable[[], T], write_end: int) -> None:
    code = 1
    try:
        data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        code = 0
    except BaseException:  # noqa: BLE001 (the parent computes it again and reports what goes wrong)
        pass
    finally:
        os._exit(code)
