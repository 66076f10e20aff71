"""`convert --tasks stub`: tasks that hold a worker's Ruby `perform` until it is ported."""

from __future__ import annotations

from batch2flow.runtime.errors import UntranslatedRuby
from batch2flow.runtime.jobs import _simulate
from batch2flow.runtime.rehearsal import active_rehearsal


class NotPorted(UntranslatedRuby):
    """A task whose Ruby worker has not been ported to Python yet."""


def not_ported(worker: str, where: str) -> None:
    """Stop a real run at a task still to be ported; in a rehearsal, simulate the job."""
    current = active_rehearsal()
    if current is not None:
        _simulate(current, worker)
        return
    raise NotPorted(f"{worker}#perform", where)
