"""Reachability over a workflow's edges: what "B can only start after A" means in the graph."""

from __future__ import annotations

from collections import defaultdict

from batch2flow.ir import Workflow


def reachable_from(workflow: Workflow, source: str) -> set[str]:
    successors: dict[str, list[str]] = defaultdict(list)
    for edge in workflow.edges:
        successors[edge.source].append(edge.target)
    return reachable(successors, source)


def reachable(successors: dict[str, list[str]], source: str) -> set[str]:
    """Every node some path of `successors` leads to from `source`."""
    seen: set[str] = set()
    queue = list(successors.get(source, []))
    while queue:
        node = queue.pop()
        if node not in seen:
            seen.add(node)
            queue.extend(successors.get(node, []))
    return seen


def jobs_of(workflow: Workflow, worker: str) -> list[str]:
    return [job.id for job in workflow.jobs if job.worker == worker]


def is_after(workflow: Workflow, first: str, then: str) -> bool:
    """Some job of worker `then` can only start after some job of worker `first` finished."""
    targets = set(jobs_of(workflow, then))
    return any(reachable_from(workflow, a) & targets for a in jobs_of(workflow, first))


def are_independent(workflow: Workflow, one: str, other: str) -> bool:
    return not is_after(workflow, one, other) and not is_after(workflow, other, one)
