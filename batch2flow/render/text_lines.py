"""One line per node for `render_text`, and the closing summary line.

Every line has the same three columns, separated by two spaces: what the node is,
its tags in brackets, and where it is in the source, so a reader's eye finds the
file:line at the end of each line.
"""

from __future__ import annotations

from batch2flow.diagnostics import Severity
from batch2flow.ir import Batch, Callback, Graph, Job, Raise, Span, Start

Node = Job | Callback | Start | Batch


def flat(source: str) -> str:
    """Ruby source on one line: a multi-line condition must not break the tree's indentation."""
    return " ".join(source.split())


def if_tag(condition: str | None) -> list[str]:
    return [] if condition is None else [f"[if {flat(condition)}]"]


def _columns(head: str, tags: list[str], span: Span) -> str:
    return "  ".join(part for part in (head, " ".join(tags), str(span)) if part)


def job_line(job: Job, extra: list[str]) -> str:
    tags = ["[placeholder]"] if job.placeholder else []
    tags += ["[fan-out]"] if job.fan_out else []
    return _columns(f"job {job.id} {flat(job.worker)}", tags + if_tag(job.condition) + extra,
                    job.span)


def callback_line(cb: Callback, extra: list[str]) -> str:
    tags = ["[placeholder]"] if cb.placeholder else []
    tags += if_tag(cb.condition)
    tags += [] if cb.repeats is None else [f"[repeats {cb.repeats}]"]
    return _columns(f"on {cb.event} -> {flat(cb.target)}", tags + extra, cb.span)


def start_line(start: Start, extra: list[str]) -> str:
    head = f"{'restart' if start.restart else 'start'} workflow {start.workflow}"
    return _columns(head, if_tag(start.condition) + extra, start.span)


def batch_line(batch: Batch, extra: list[str]) -> str:
    head = f"batch {batch.id}"
    if batch.description is not None:
        head += f' "{flat(batch.description)}"'
    tags = [] if batch.callback_queue is None else [f"[callback queue {batch.callback_queue}]"]
    return _columns(head, tags + extra, batch.span)


def raise_line(raised: Raise) -> str:
    """Where the Ruby raises: nothing after it in that code runs."""
    return _columns(f"raises {flat(raised.error)}", if_tag(raised.condition), raised.span)


def node_line(node: Node, extra: list[str]) -> str:
    if isinstance(node, Job):
        return job_line(node, extra)
    if isinstance(node, Callback):
        return callback_line(node, extra)
    if isinstance(node, Start):
        return start_line(node, extra)
    return batch_line(node, extra)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary(graph: Graph) -> str:
    """`2 workflows, 14 jobs, 1 error, 2 warnings`: a fan-out node counts as one job."""
    severities = [d.severity for d in graph.diagnostics]
    return ", ".join([
        _count(len(graph.workflows), "workflow"),
        _count(sum(len(wf.jobs) for wf in graph.workflows), "job"),
        _count(severities.count(Severity.ERROR), "error"),
        _count(severities.count(Severity.WARNING), "warning"),
    ])
