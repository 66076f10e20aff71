"""What the graph predicts about one run, read from `batch2flow graph --format json` alone.

Nothing here imports the converter's code generator: the prediction follows the
documented JSON (jobs with their batch, condition and the job or callback that
enqueued them; callbacks with their batch, event and the code that registered them;
batches with their parent), so a bug in the generator cannot make two columns agree.

Each job and callback gets a certainty: YES (it happens in this run), MAYBE (it hangs on
something the run does not settle) or NO. Conditions are decided from the run's starter
arguments, the callback's options and the simulated batch status (ruby_conditions.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from click.testing import CliRunner
from reachability import reachable

from batch2flow.cli import main
from equivalence.ruby_conditions import UNKNOWN, Scope, SomeFailures, decide, evaluate, options_value

YES, MAYBE, NO = 2, 1, 0

Document = dict[str, Any]
Pairs = set[tuple[str, str]]


def graph_document(paths: Iterable[str]) -> Document:
    """The JSON `batch2flow graph PATH... --format json` prints, run in this process."""
    result = CliRunner().invoke(main, ["graph", *paths, "--format", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    document: Document = json.loads(result.stdout)
    return document


def workflow_named(document: Document, name: str) -> Document:
    [found] = [w for w in document["workflows"] if w["name"] == name]
    return found


@dataclass(frozen=True)
class Prediction:
    #: workers with a job in this run
    runs: frozenset[str]
    #: workers with a job in some runs like this one (what the run does not settle)
    may_run: frozenset[str]
    #: some job whose worker the graph cannot name may run (a class computed at run time)
    unnamed: bool = False
    #: ids of this workflow's starts of other workflows that may happen in this run
    starts: frozenset[str] = frozenset()
    #: those of them that surely happen
    sure_starts: frozenset[str] = frozenset()


def predict(workflow: Document, fail: set[str], names: Mapping[str, object] | None = None,
            stand_ins: str = "truthy", document: Document | None = None,
            started: frozenset[str] = frozenset()) -> Prediction:
    """`names`: the starter's parameters this run knows the value of. A loop over a
    collection the run does not know goes over two stand-ins when they are truthy, and
    may go over none when they are falsy (nil, an empty relation). With the whole
    `document`, the workers of each workflow this one starts count too."""
    predictor = _Predictor(workflow, fail, dict(names or {}), stand_ins == "truthy")
    status = {job["id"]: predictor.job(job["id"]) for job in workflow["jobs"]}
    real = [job for job in workflow["jobs"] if not job["placeholder"]]
    runs = {job["worker"] for job in real if status[job["id"]] == YES}
    maybe = {job["worker"] for job in real if status[job["id"]] == MAYBE}
    unnamed = any(job["placeholder"] and status[job["id"]] != NO for job in workflow["jobs"])
    happening = frozenset(s["id"] for s in workflow["starts"] if predictor.start(s) != NO)
    sure = frozenset(s["id"] for s in workflow["starts"] if predictor.start(s) == YES)
    for start in workflow["starts"] if document is not None else []:
        certainty = predictor.start(start)
        if start["restart"] or certainty == NO or start["workflow"] in started:
            continue
        other = workflow_named(document, start["workflow"])
        inner = predict(other, fail, run_names(other["params"], {}, stand_ins), stand_ins, document,
                        started | {workflow["name"]})
        runs |= inner.runs if certainty == YES else set()
        maybe |= inner.may_run | (inner.runs if certainty == MAYBE else set())
        unnamed = unnamed or inner.unnamed
    return Prediction(frozenset(runs), frozenset(maybe - runs), unnamed, happening, sure)


def run_names(params: Iterable[str], arguments: Mapping[str, object], stand_ins: str) -> dict[str, object]:
    """What the starter's parameters hold in a run: the arguments given, and for the
    others nil when stand-ins are falsy (the flow gets None there too); a truthy
    stand-in is an object the graph knows nothing of."""
    unknown = None if stand_ins == "falsy" else UNKNOWN
    return {p: arguments.get(p, unknown) for p in params}


class _Predictor:
    def __init__(self, workflow: Document, fail: set[str], names: dict[str, object],
                 unknown_loops_run: bool) -> None:
        self.fail = fail
        self.names = names
        self.unknown_loops_run = unknown_loops_run
        self.jobs = {job["id"]: job for job in workflow["jobs"]}
        self.callbacks = {cb["id"]: cb for cb in workflow["callbacks"]}
        children: dict[str, list[str]] = defaultdict(list)
        for batch in workflow["batches"]:
            if batch["parent"] is not None:
                children[batch["parent"]].append(batch["id"])
        self.below = {b["id"]: {b["id"]} | reachable(children, b["id"]) for b in workflow["batches"]}
        self.memo: dict[str, int] = {}
        self.busy: set[str] = set()

    def job(self, job_id: str) -> int:
        return self._memo(job_id, self._job)

    def callback(self, callback_id: str) -> int:
        return self._memo(callback_id, self._callback)

    def _memo(self, key: str, compute: Any) -> int:
        if key in self.memo:
            return self.memo[key]
        if key in self.busy:
            return MAYBE  # a loop the graph draws: its second round is not predicted
        self.busy.add(key)
        self.memo[key] = compute(key)
        self.busy.discard(key)
        return self.memo[key]

    def _job(self, job_id: str) -> int:
        job = self.jobs[job_id]
        certainty = self._actor_runs(job["spawned_by"])
        own = _below(job["condition"], self._condition_of(job["spawned_by"]))
        if own is not None and certainty != NO:
            scope = self._scope(job["spawned_by"])
            certainty = min(certainty, self._decide_per_item(own, job["loop"], scope))
        if job["loop"] is not None and certainty != NO:
            certainty = min(certainty, self._loop_runs(job["loop"], self._scope(job["spawned_by"])))
        return certainty

    def start(self, start: Document) -> int:
        """Whether the code starting another workflow runs."""
        certainty = self._actor_runs(start["spawned_by"])
        own = _below(start["condition"], self._condition_of(start["spawned_by"]))
        if own is not None and certainty != NO:
            certainty = min(certainty, _certainty(decide(own, self._scope(start["spawned_by"]))))
        return certainty

    def _decide_per_item(self, condition: str, loop: Document | None, scope: Scope) -> int:
        """Whether `condition` holds; in a loop over known items (`next if i == 1`), whether
        it holds for one of them at least."""
        items = evaluate(loop["items"], scope) if loop is not None and loop["variables"] else UNKNOWN
        if loop is not None and loop["method"] == "times" and isinstance(items, int):
            items = list(range(items))
        if not isinstance(items, list) or loop is None:
            return _certainty(decide(condition, scope))
        variable = loop["variables"][-1] if loop["method"] == "each_with_index" else loop["variables"][0]
        values = list(range(len(items))) if loop["method"] == "each_with_index" else items
        decided = [_certainty(decide(condition, replace(scope, names={**scope.names, variable: value})))
                   for value in values]
        return max(decided, default=NO)

    def _loop_runs(self, loop: Document, scope: Scope) -> int:
        """Whether the loop around a job goes round at least once."""
        items = evaluate(loop["items"], scope)
        if items is UNKNOWN:
            return YES if self.unknown_loops_run else MAYBE
        if loop["method"] == "times":
            return YES if isinstance(items, int) and items > 0 else NO
        return YES if isinstance(items, (list, dict, str)) and items else NO

    def _callback(self, callback_id: str) -> int:
        callback = self.callbacks[callback_id]
        actor = callback["registered_by"]
        registered = self._actor_runs(actor)
        own = _below(callback["condition"], self._condition_of(actor))
        if own is not None and registered != NO:
            registered = min(registered, _certainty(decide(own, self._scope(actor))))
        if registered == NO:
            return NO
        # whether it fires depends on the jobs of the batch and of its children
        failed = self._died(self._members(callback_id, own_batch_only=False))
        if callback["event"] == "complete":
            fires = YES
        elif callback["event"] == "success":
            fires = {YES: NO, MAYBE: MAYBE, NO: YES}[failed]
        else:
            fires = failed
        return min(registered, fires)

    def _actor_runs(self, actor: str | None) -> int:
        """Whether the code of `actor` (None: the starter) runs, up to its enqueues."""
        if actor is None:
            return YES
        if actor in self.jobs:
            # a job that dies raises at its start: it enqueued nothing
            return NO if self.jobs[actor]["worker"] in self.fail else self.job(actor)
        return self.callback(actor)

    def _condition_of(self, actor: str | None) -> str | None:
        if actor is None:
            return None
        node = self.jobs.get(actor) or self.callbacks[actor]
        condition: str | None = node["condition"]
        return condition

    def _scope(self, actor: str | None) -> Scope:
        if actor is None:
            return Scope(self.names)
        if actor in self.jobs:
            return Scope({})  # what a perform reads is its arguments: not followed here
        callback = self.callbacks[actor]
        options = options_value(callback["options"], self._scope(callback["registered_by"]))
        return Scope({}, options, self._status(actor))

    def _status(self, callback_id: str) -> dict[str, object]:
        """`status.failures`, `total` and `pending` as the callback sees them: counts of
        the batch's own jobs (Sidekiq::Batch::Status leaves the children out)."""
        members = self._members(callback_id, own_batch_only=True)
        batch = self.callbacks[callback_id]["batch"]
        # what a `:death` callback added to the batch may land before the callback fires or
        # after it: Sidekiq counts it in one run and not in another
        late = [j for j in members if self._raced(j, batch) and self.job(j["id"]) != NO]
        members = [j for j in members if j not in late]
        failed = self._died(members)
        failures: object = 0 if failed == NO else SomeFailures() if failed == YES else UNKNOWN
        if self._died(late) != NO and failed != YES:
            failures = UNKNOWN
        countable = all(self.job(j["id"]) in (YES, NO) and not j["fan_out"] for j in members)
        total: object = sum(self.job(j["id"]) == YES for j in members) if countable and not late else UNKNOWN
        event = self.callbacks[callback_id]["event"]
        pending = 0 if event == "success" else failures if event == "complete" and not late else UNKNOWN
        return {"failures": failures, "total": total, "pending": pending}

    def _raced(self, job: Document, batch: str) -> bool:
        """`job` was set off by a `:death` callback of `batch` or of a batch below it:
        that death fired while the batch's own callbacks may have run already."""
        deaths = [self.callbacks[a] for a in self._actors(job)
                  if a in self.callbacks and self.callbacks[a]["event"] == "death"]
        return any(death["batch"] in self.below[batch] for death in deaths)

    def _members(self, callback_id: str, own_batch_only: bool) -> list[Document]:
        """Jobs of the callback's batch (and its children), but not those the callback's
        own code adds: it has fired by then."""
        batch = self.callbacks[callback_id]["batch"]
        batches = {batch} if own_batch_only else self.below.get(batch, {batch})
        return [job for job in self.jobs.values()
                if job["batch"] in batches and not self._descends_from(job, callback_id)]

    def _descends_from(self, job: Document, callback_id: str) -> bool:
        return callback_id in self._actors(job)

    def _actors(self, job: Document) -> list[str]:
        """The job or callback whose code enqueued `job`, the one that set that off, and so
        on up to the starter."""
        found: list[str] = []
        actor = job["spawned_by"]
        while actor is not None and actor not in found:
            found.append(actor)
            node = self.jobs.get(actor) or self.callbacks.get(actor)
            actor = None if node is None else node.get("spawned_by", node.get("registered_by"))
        return found

    def _died(self, members: list[Document]) -> int:
        """YES when a job certain to run dies, MAYBE when only an uncertain one would."""
        dying = [self.job(j["id"]) for j in members if j["worker"] in self.fail]
        return max(dying, default=NO)


def _below(condition: str | None, base: str | None) -> str | None:
    """The part of `condition` added in the actor's own code: conditions accumulate
    (`outer && inner`) from the code that enqueued or registered it."""
    if condition is None or condition == base:
        return None
    if base and condition.startswith(base + " && "):
        return condition[len(base) + 4:]
    return condition


def _certainty(decided: bool | None) -> int:
    return MAYBE if decided is None else YES if decided else NO


def order_pairs(workflow: Document, fail: set[str], document: Document | None = None,
                starts: frozenset[str] | None = None, *, across_items: bool = True) -> tuple[Pairs, Pairs]:
    """(A, B) for each worker B the graph orders after worker A, split: pairs where B
    follows every job of A, and pairs where B follows A only through A's death (an edge
    into a `:death` callback: it fires at the first death, not after the other jobs),
    which hold in this run only when A dies. With the whole `document`, a workflow this
    one starts comes after what leads to its start (of the `starts` that happen in this
    run, when given: another start of the same workflow orders nothing), and brings its
    own order.

    A batch built once per item orders each item's work after that item's jobs only:
    `across_items=False` leaves out the pairs of two jobs of one such item, for the pairs
    where B follows every job of A (a timeline's check); with them, B follows some job of A
    (the oracle's causality)."""
    jobs = {job["id"]: job["worker"] for job in workflow["jobs"] if not job["placeholder"]}
    if document is not None:
        return _with_started(workflow, fail, document, jobs, starts, across_items)
    on_death = {cb["id"] for cb in workflow["callbacks"] if cb["event"] == "death"}
    every: dict[str, list[str]] = defaultdict(list)
    through_death: dict[str, list[str]] = defaultdict(list)
    for edge in workflow["edges"]:
        into_death = edge["to"] in on_death and edge["from"] in jobs
        if not into_death:
            every[edge["from"]].append(edge["to"])
        if not into_death or jobs[edge["from"]] in fail:
            through_death[edge["from"]].append(edge["to"])
    # two jobs of one batch built per item (or of what its callbacks set off) are ordered
    # within an item only: one item's B may run before another item's A ends
    scopes = [] if across_items else _per_item_scopes(workflow)
    after_all, after_any = set(), set()
    for job_id, worker in jobs.items():
        apart: set[str] = set().union(*(scope for scope in scopes if job_id in scope))
        after_all |= {(worker, jobs[n]) for n in reachable(every, job_id)
                      if n in jobs and jobs[n] != worker and n not in apart}
        after_any |= {(worker, jobs[n]) for n in reachable(through_death, job_id)
                      if n in jobs and jobs[n] != worker and n not in apart}
    return after_all, after_any - after_all


def _per_item_scopes(workflow: Document) -> list[set[str]]:
    """For each batch built once per item of a loop, the jobs and callbacks there are one of
    per item: in the batch or below it, or set off (a step chained by reopening the
    parent) by code that is."""
    children: dict[str, list[str]] = defaultdict(list)
    for batch in workflow["batches"]:
        if batch["parent"] is not None:
            children[batch["parent"]].append(batch["id"])
    return [_per_item_scope(workflow, {batch["id"]} | reachable(children, batch["id"]), children)
            for batch in workflow["batches"] if batch.get("loop")]


def _per_item_scope(workflow: Document, batches: set[str], children: dict[str, list[str]]) -> set[str]:
    """The jobs and callbacks there are one of per item: in `batches`, or set off by code
    that is (with the batches that code builds, and those below them)."""
    scope: set[str] = set()
    grown = True
    while grown:
        before = len(scope) + len(batches)
        for batch in workflow["batches"]:
            if batch.get("created_by") in scope and batch["id"] not in batches:
                batches |= {batch["id"]} | reachable(children, batch["id"])
        scope |= {job["id"] for job in workflow["jobs"]
                  if job["batch"] in batches or job["spawned_by"] in scope}
        scope |= {cb["id"] for cb in workflow["callbacks"]
                  if cb["batch"] in batches or cb["registered_by"] in scope}
        grown = len(scope) + len(batches) > before
    return scope


def _with_started(workflow: Document, fail: set[str], document: Document, jobs: dict[str, str],
                  happening: frozenset[str] | None, across_items: bool) -> tuple[Pairs, Pairs]:
    after_all, after_death = order_pairs(workflow, fail, across_items=across_items)
    successors = _run_successors(workflow, jobs, fail)
    for start in workflow["starts"]:
        if start["restart"] or (happening is not None and start["id"] not in happening):
            continue
        workers = started_workers(document, start["workflow"])
        inner_all, inner_death = _started_pairs(document, start["workflow"], fail, {workflow["name"]},
                                                across_items)
        after_all |= inner_all
        after_death |= inner_death
        for job_id, worker in jobs.items():
            # what a job's perform starts is not after that job: it runs inside it
            if start["id"] in reachable(successors, job_id):
                after_all |= {(worker, w) for w in workers if w != worker}
    return after_all, after_death - after_all


def _started_pairs(document: Document, name: str, fail: set[str], seen: set[str],
                   across_items: bool) -> tuple[Pairs, Pairs]:
    """The order inside a started workflow, and, as in `_with_started`, of the workflows
    it starts in turn after what leads to their start (a chain of steps, each started
    from the one before's callback)."""
    other = workflow_named(document, name)
    after_all, after_death = order_pairs(other, fail, across_items=across_items)
    jobs = {job["id"]: job["worker"] for job in other["jobs"] if not job["placeholder"]}
    successors = _run_successors(other, jobs, fail)
    for start in other["starts"]:
        if start["restart"] or start["workflow"] in seen:
            continue
        inner_all, inner_death = _started_pairs(document, start["workflow"], fail, seen | {name},
                                                across_items)
        after_all, after_death = after_all | inner_all, after_death | inner_death
        workers = started_workers(document, start["workflow"], frozenset(seen | {name}))
        for job_id, worker in jobs.items():
            if start["id"] in reachable(successors, job_id):
                after_all |= {(worker, w) for w in workers if w != worker}
    return after_all, after_death


def started_workers(document: Document, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """Workers of workflow `name` and of every workflow it starts."""
    other = workflow_named(document, name)
    workers = graph_workers(other)
    for start in other["starts"]:
        if not start["restart"] and start["workflow"] not in seen | {name}:
            workers |= started_workers(document, start["workflow"], seen | {name})
    return workers


def restart_pairs(workflow: Document, fail: set[str]) -> Pairs:
    """(A, B) where a restart of the workflow follows A, and B is a worker of the next
    round: that round comes after everything that led to the restart."""
    jobs = {job["id"]: job["worker"] for job in workflow["jobs"] if not job["placeholder"]}
    successors = _run_successors(workflow, jobs, fail)
    # the next round: what the starter does, and what follows it along the edges (a job
    # a perform enqueues is not ordered after that perform's job, in either round)
    actors = {job["id"]: job["spawned_by"] for job in workflow["jobs"]}
    actors.update({cb["id"]: cb["registered_by"] for cb in workflow["callbacks"]})
    firsts = {node for node in actors if _from_the_starter(node, actors, jobs)}
    again = set(firsts).union(*(reachable(successors, node) for node in firsts))
    next_round = {jobs[node] for node in again if node in jobs}
    pairs: Pairs = set()
    for start in (s for s in workflow["starts"] if s["restart"]):
        leading = {worker for job_id, worker in jobs.items() if start["id"] in reachable(successors, job_id)}
        pairs |= {(a, b) for a in leading for b in next_round if a != b}
    return pairs


def _from_the_starter(node: str, actors: dict[str, str | None], jobs: dict[str, str]) -> bool:
    """The node's code is the starter's, or that of a job the starter enqueued (and so on)."""
    actor = actors[node]
    while actor in jobs:
        actor = actors[actor]
    return actor is None


def _run_successors(workflow: Document, jobs: dict[str, str], fail: set[str]) -> dict[str, list[str]]:
    """The edges that hold in a run where the workers in `fail` die: an edge from a job
    into a `:death` callback only when that job dies."""
    on_death = {cb["id"] for cb in workflow["callbacks"] if cb["event"] == "death"}
    successors: dict[str, list[str]] = defaultdict(list)
    for edge in workflow["edges"]:
        if not (edge["to"] in on_death and edge["from"] in jobs and jobs[edge["from"]] not in fail):
            successors[edge["from"]].append(edge["to"])
    return successors


def spawn_pairs(workflow: Document) -> Pairs:
    """(A, B) where A's own code enqueued B: the flow submits B once A ran."""
    jobs = {job["id"]: job["worker"] for job in workflow["jobs"]}
    return {(jobs[job["spawned_by"]], job["worker"]) for job in workflow["jobs"] if job["spawned_by"] in jobs}


def graph_workers(workflow: Document) -> set[str]:
    return {job["worker"] for job in workflow["jobs"] if not job["placeholder"]}
