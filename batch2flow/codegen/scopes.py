"""What Ruby names mean at each node of a workflow, for translating its Ruby snippets.

The starter's parameters are the flow's parameters. A job's `perform` parameters
are the arguments it was enqueued with; a callback's `options` are what its `on(...)`
passed (through JSON: string keys). Each scope is built from the scope of the code
that enqueued or registered the node, so values flow down the callback chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache

from batch2flow.codegen.names import param_names
from batch2flow.codegen.ruby_expr import Scope, translate
from batch2flow.ir import Callback, Job, Worker, Workflow
from batch2flow.parsing import parse_snippet
from batch2flow.ruby import nodes


class Scopes:
    def __init__(self, workflow: Workflow, workers: dict[str, Worker]) -> None:
        self.workflow = workflow
        self.workers = workers
        self.jobs = {job.id: job for job in workflow.jobs}
        self.callbacks = {cb.id: cb for cb in workflow.callbacks}
        # a repeated Ruby parameter (`_, _`) reads as the first one
        starter = dict(reversed(list(zip(workflow.params, param_names(workflow.params), strict=True))))
        self.starter = Scope(names=starter)
        self.inside = cache(self._inside)
        #: (batch, actor) -> the loop items known in `actor`'s code in that batch's jobs
        #: block (set by the planner, which names them): a callback registered on a
        #: per-item batch may pass its item in its options
        self.items_around: Callable[[str | None, str | None], dict[str, str]] = lambda batch, actor: {}

    def of(self, actor: str | None) -> Scope:
        """The scope of code run by `actor` (a job's perform, a callback; None: the starter)."""
        return self.inside(actor)

    def chain(self, actor: str | None) -> Scope:
        """The names of `actor`'s code and of every code that led to it, the nearest
        winning: a condition collected along a chain of performs may use any of them."""
        names: dict[str, str] = {}
        status: str | None = None
        options = None
        while True:
            scope = self.of(actor)
            names = {**scope.names, **names}
            if status is None and scope.status is not None:
                status, options = scope.status, scope.options
            if actor is None:
                break
            actor = self._actor_of(actor)
        return Scope(names=names, status=status, options=options)

    def _actor_of(self, node: str) -> str | None:
        if node in self.jobs:
            return self.jobs[node].spawned_by
        if node in self.callbacks:
            return self.callbacks[node].registered_by
        return None

    def _inside(self, actor: str | None) -> Scope:
        if actor is None:
            return self.starter
        if actor in self.jobs:
            return self._perform_scope(self.jobs[actor])
        if actor in self.callbacks:
            return self._callback_scope(self.callbacks[actor])
        return Scope()

    def _perform_scope(self, job: Job) -> Scope:
        worker = self.workers.get(job.worker)
        if worker is None or job.fan_out:
            return Scope()
        outer = self.of(job.spawned_by)
        names: dict[str, str] = {}
        for param, arg in zip(worker.perform_params, job.args, strict=False):
            translated = translate(arg, outer)
            if translated is not None:
                names[param] = translated
        return Scope(names=names)

    def _callback_scope(self, callback: Callback) -> Scope:
        status_var = f"status_{callback.id}"
        outer = self.of(callback.registered_by)
        items = self.items_around(callback.batch, callback.registered_by)
        if items:
            outer = replace(outer, names={**outer.names, **items})
        options: dict[str, str] = {}
        for key, value in option_pairs(callback.options):
            translated = translate(value, outer)
            if translated is not None:
                options[key] = translated
        if callback.options == outer.options_param and outer.options is not None:
            # a callback handing its own options on to the next step
            options = dict(outer.options)
        return Scope(status=status_var, options=options)


def option_pairs(options: str | None) -> list[tuple[str, str]]:
    """`'id' => x, kind: y` (or a braced hash) as (string key, Ruby value source) pairs."""
    if not options:
        return []
    call = parse_snippet(f"f({options})")
    if call is None:
        return []
    parsed = nodes.as_call(call)
    if parsed is None:
        return []
    return [(key, nodes.text(value)) for key, value in nodes.hash_pairs(parsed.args) if key is not None]
