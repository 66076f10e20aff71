"""From one workflow of the graph to the plan of its Prefect flow module.

The flow body is the Ruby's own shape: the starter's code, and each callback as a
nested function defined where the Ruby registers it (inside the `if` that guards
the registration, inside the callback that registers it), submitting what that
callback (and the jobs it set off) enqueued. Each runs in a thread of its own, so a
callback that reads its batch's status or waits for a death holds up nothing else.
Batches become `Batch` objects holding their jobs' futures, so what a callback
waits for is exactly what Sidekiq would count: `:success` waits on the futures (a
failure leaves the rest NotReady), `:complete` waits with `allow_failure`, `:death`
checks whether one of them died.
"""

from __future__ import annotations

from dataclasses import replace

from batch2flow import diagnostics as diag
from batch2flow.batch_tree import subtrees
from batch2flow.codegen.blocks import STARTER, build_blocks
from batch2flow.codegen.callback_waits import CallbackWaits
from batch2flow.codegen.conditions import ConditionWriter, relative_condition
from batch2flow.codegen.descriptions import description_arg
from batch2flow.codegen.guarded_body import GuardedBody
from batch2flow.codegen.names import NameTable, param_names, to_comment, to_python, to_var
from batch2flow.codegen.other_work import report_other_work
from batch2flow.codegen.per_item import PerItemBatches
from batch2flow.codegen.plan import CallbackBlock, Comment, FlowPlan, Guard, ItemFunction, Line, Statement
from batch2flow.codegen.raises import raise_line
from batch2flow.codegen.ruby_expr import Scope, translate, translate_items
from batch2flow.codegen.scopes import Scopes
from batch2flow.codegen.submits import Untranslated, is_bulk, items_marker, submit_line
from batch2flow.codegen.tasks import plan_tasks
from batch2flow.codegen.waits import NamedWaits, Waits, list_value, repeats, wait_for
from batch2flow.codegen.workflow_nodes import WorkflowNodes
from batch2flow.ir import Callback, Job, Start, Worker, Workflow

#: names the flow body defines itself
_RESERVED = {"run", "start_other_workflow"}


def plan_flow(workflow: Workflow, workers: dict[str, Worker],
              params_of: dict[str, tuple[str, ...]], stub_tasks: bool = False) -> FlowPlan:
    """`stub_tasks`: tasks hold the Ruby `perform` to port instead of calling the bridge."""
    return _Planner(workflow, workers, params_of, stub_tasks).plan()


def plan_outline(workflow: Workflow, workers: dict[str, Worker],
                 params_of: dict[str, tuple[str, ...]]) -> FlowPlan:
    """The plan without its body: the flow function's name, parameters and defaults and
    the tasks, named as `plan_flow` names them (before any body), with no statement, stub
    or finding. What a flow that runs every Ruby method in Ruby takes from the translated
    one, whose body (a callback nested in the one that registers it) is never written then."""
    return _Planner(workflow, workers, params_of, False).outline()


class _Planner:
    def __init__(self, workflow: Workflow, workers: dict[str, Worker],
                 params_of: dict[str, tuple[str, ...]], stub_tasks: bool) -> None:
        self.wf = workflow
        self.params_of = params_of
        self.params = param_names(workflow.params)
        self.names = NameTable(_RESERVED | set(self.params))
        # the flow's function is named first: it is the deployment's entrypoint, and the
        # name a reader looks for (a job future may take `archive_2` instead)
        self.names.name("flow", to_var(workflow.name))
        self.tasks = plan_tasks(workflow, workers, self.names, stub_tasks)
        self.scopes = Scopes(workflow, workers)
        self.todo = Untranslated()
        report_other_work(workflow, self.tasks, self.todo)
        self.conditions = ConditionWriter(self.scopes, self.todo, self.names)
        self.nodes = WorkflowNodes.of(workflow)
        self.jobs, self.batches, self.callbacks = self.nodes.jobs, self.nodes.batches, self.nodes.callbacks
        self.starts, self.raises = self.nodes.starts, self.nodes.raises
        #: batch id -> itself and every batch below it
        self.below = subtrees(workflow.batches)
        self.per_item = PerItemBatches(workflow, self.nodes, self.below, self.names)
        self.scopes.items_around = self.per_item.names_around
        #: the per-item batches whose loop body is being written, outermost first
        self.open_items: list[str] = []

    def plan(self) -> FlowPlan:
        self.blocks = build_blocks(self.wf)
        self.block_of = self.blocks.block_of
        self.waiting = CallbackWaits(self.wf, self.nodes, self.blocks, self.below)
        self.rank = {key: index for index, key in enumerate(self.blocks.order)}
        #: the callback blocks the one being written is nested in, outermost first
        self.scope: list[str] = []
        self.substantive: dict[str, bool] = {}
        #: callback block -> the blocks its `after` names
        self.after_of: dict[str, set[str]] = {}
        #: callback block -> what its work waits for, in full
        self.waits_of: dict[str, tuple[str, ...]] = {}
        #: the callback blocks whose waits a block nested in them reads by name
        self.named_waits: set[str] = set()
        body: list[Statement] = [
            Line("run = WorkflowRun()", "every job of this run, so a failure fails the flow"),
            Comment(f"{self.wf.starter}  ({self.wf.entry})"),
            *self._members(None, self.blocks.members[STARTER], ()),
            Line("return run.futures()", "once every callback block has run"),
        ]
        found, converted = self._coverage()
        return replace(
            self.outline(),
            body=tuple(body),
            stubs=tuple(self.conditions.stubs),
            diagnostics=tuple(sorted(set(self.todo.diagnostics))),
            found=found,
            converted=converted,
            variables=tuple((j.id, self.names.get(j.id)) for j in self.wf.jobs),
        )

    def outline(self) -> FlowPlan:
        tasks = {t.function: t for t in self.tasks.values()}
        return FlowPlan(
            workflow=self.wf.name,
            function=self.names.name("flow", to_var(self.wf.name)),
            params=self.params,
            description=f"Sidekiq workflow started by {self.wf.starter} ({self.wf.entry})",
            starter=self.wf.starter,
            entry=str(self.wf.entry),
            tasks=tuple(sorted(tasks.values(), key=lambda t: t.function)),
            body=(),
            stubs=(),
            diagnostics=(),
            found=0,
            converted=0,
            starts_workflows=bool(self.wf.starts),
            task_names=tuple((j.id, self.tasks[j.id].worker) for j in self.wf.jobs),
            defaults=_trailing_defaults(self.wf, self.params),
        )

    def _coverage(self) -> tuple[int, int]:
        """(found, converted): every job, callback, raise, start and batch the flow has to
        stand for, and each statement of an orchestrating job's perform that it does not
        run; converted, those translated without a marker or a stub. Never negative, and
        never all of them while something is left to do."""
        wf = self.wf
        nodes = {n.id for group in (wf.jobs, wf.callbacks, wf.raises, wf.starts, wf.batches) for n in group}
        other_work = sum(len(job.other_work) for job in wf.jobs)
        found = len(nodes) + other_work
        return found, found - len(self.todo.nodes & nodes) - other_work

    # -- one callback block ----------------------------------------------------------
    def _callback_block(self, cb: Callback) -> list[Statement]:
        header = Comment(f"on {cb.event} of batch {cb.batch}: {cb.target}  ({cb.span})")
        if not self._has_work(cb.id):
            return [header]
        after, adders = self._after(cb)
        self.scope.append(cb.id)
        batch = self._batch_var(cb.batch)
        full, deaths = self._waits(cb)
        waits = self._shared_waits(cb, tuple(full), after)
        inner = self._members(cb, self.blocks.members[cb.id], waits)
        status = self.scopes.of(cb.id).status
        # read where first used, not before: a job the callback enqueues ahead of its first
        # look at `status` starts at once, as in Ruby (a death's status waits for the batch)
        first = next((i for i, statement in enumerate(inner) if status and any(
            status in line for line in _codes([statement]))), None)
        if first is not None:
            # a :death fires at the first death: its status is what is known then
            read = "death_status" if cb.event == "death" else "status"
            inner.insert(first, Line(f"{status} = {batch}.{read}()", "what the callback's `status` reports"))
        for index, dead in enumerate(deaths):
            # its own batch (the first) is watched while the blocks that add to it run
            names = ", ".join(to_python(name) for name in adders) if index == 0 else ""
            test = f"{dead}.died(added_by=[{names}])" if names else f"{dead}.died()"
            inner = [Guard(test, tuple(inner), "a job of the batch died")]
        if cb.id in self.named_waits:  # first, so that every block nested in it can read it
            inner.insert(0, Line(f"{self._waits_name(cb.id)} = {list_value(waits)}",
                                 "what this callback's work waits for, as does the work it registers"))
        self.scope.pop()
        return [header, CallbackBlock(self._function(cb.id), after, tuple(inner), cb.target, batch, cb.event)]

    def _shared_waits(self, cb: Callback, waits: tuple[str, ...], after: tuple[str, ...]) -> Waits:
        """`waits`, with what the block `cb` is nested in waits for read by its name rather
        than repeated, when `waits` ends with it: a chain of N steps then waits for N + 1
        lists, not N²/2. A block that runs after others sees more than the one it is
        nested in, so it keeps its own list."""
        self.waits_of[cb.id] = waits
        outer = self.scope[-2] if len(self.scope) > 1 else None
        if outer is None or after:
            return waits
        if not repeats(waits, self.waits_of[outer]):
            return waits
        self.named_waits.add(outer)
        return (*waits[:len(waits) - len(self.waits_of[outer])], NamedWaits(self._waits_name(outer)))

    def _waits_name(self, key: str) -> str:
        cb = self.callbacks[key]
        return self.names.name(f"waits:{key}", to_var(f"after_{cb.event}_{self._batch_var(cb.batch)}"))

    def _function(self, key: str) -> str:
        cb = self.callbacks[key]
        return self.names.name(f"block:{key}", to_var(f"on_{cb.event}_{self._batch_var(cb.batch)}"))

    def _has_work(self, key: str) -> bool:
        """The callback's block submits something (itself or through a callback it
        registers): an empty one stays a comment, and nothing waits for it."""
        if key not in self.substantive:
            self.substantive[key] = any(
                node not in self.callbacks or (node in self.blocks.needs and self._has_work(node))
                for node in self.blocks.members[key]
            )
        return self.substantive[key]

    def _after(self, cb: Callback) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The blocks `cb` needs, and the blocks those need, that are not already done
        when it starts (the blocks it is nested in have submitted their jobs by then),
        in block order, so each comes after the block that registers it.

        Returns what the block runs after, and for a `:death` block the blocks that add
        jobs to its batch: it does not wait for those, but watches their jobs too."""
        found = self.waiting.closure(self.blocks.needs[cb.id])
        # a block it is nested in has submitted its jobs, and joined its own `after`
        done = set(self.scope).union(*(self.after_of[outer] for outer in self.scope))
        keep = sorted((need for need in found - done if self._has_work(need)), key=self.rank.__getitem__)
        adders: list[str] = []
        if cb.event == "death":
            # what registers it and creates its batch; the rest only add jobs to the batch
            registered = {self.block_of.get(node, STARTER) for node in (cb.id, cb.batch)}
            registration = self.waiting.closure(registered)
            adders = [need for need in keep if need not in registration]
            keep = [need for need in keep if need in registration]
        self.after_of[cb.id] = set(keep)
        return tuple(self._function(need) for need in keep), tuple(self._function(need) for need in adders)

    def _waits(self, cb: Callback) -> tuple[list[str], list[str]]:
        """The `wait_for` lists of `cb`'s work, and the batches whose death it needs
        (callback_waits.py)."""
        waits, deaths = self.waiting.waits(cb)
        return [self._wait(batch, success) for batch, success in waits], [self._batch_var(d) for d in deaths]

    def _wait(self, batch: str, success: bool) -> str:
        return f"{self._batch_var(batch)}.{'succeeded' if success else 'finished'}()"

    def _members(self, cb: Callback | None, members: list[str], wait: Waits) -> list[Statement]:
        # callback blocks last, each after the blocks it needs
        later = sorted((n for n in members if n in self.blocks.needs), key=self.rank.__getitem__)
        order = [n for n in members if n not in self.blocks.needs] + later
        return self._layout(cb.condition if cb is not None else None, order, wait)

    def _layout(self, base: str | None, order: list[str], wait: Waits) -> list[Statement]:
        out = GuardedBody(base)
        #: node -> the body its statements went into: what its enqueues go into as well
        body_of: dict[str, GuardedBody] = {}
        taken: set[str] = set()
        for node in order:
            if node in taken:
                continue
            per_item = self.per_item.loop_of(node) if node not in self.open_items else None
            if per_item is not None and per_item.loop is not None:
                inside = self.per_item.members(node, (n for n in order if n not in taken))
                taken.update(inside)
                statements = self._per_item_loop(node, inside, wait)
                condition, actor = per_item.loop.condition, per_item.created_by
            else:
                statements, condition, actor = self._member(node, wait)
            if not statements:
                continue
            # what a job enqueued goes inside that job's own `if`: it reads the job's
            # future, and Sidekiq only ran it if the job ran (callback blocks stay in order)
            inside_job = body_of.get(actor or "") if node not in self.callbacks else None
            body = inside_job or out
            # what a job enqueued ran only where that job ran: under the job's own condition,
            # its per-item part (`next if`, a filter of the fan-out) included
            held = self.jobs[actor].condition if inside_job is not None and actor in self.jobs else None
            relative = relative_condition(condition, held or body.condition)
            if relative is not None:
                items = tuple(self._item_names(actor).values())
                test = self.conditions.test_in(relative, self._scope(actor), node, items)
                body = body.guard(test, to_comment(relative), condition)
            body.statements += statements
            body_of[node] = body
        return out.frozen()

    def _per_item_loop(self, batch_id: str, inside: list[str], wait: Waits) -> list[Statement]:
        """`items = ...`, the loop body as a function of one item, and `run.each(...)`."""
        batch = self.batches[batch_id]
        loop = batch.loop
        assert loop is not None
        scope = self._scope(batch.created_by)
        items = translate_items(loop.items, loop.method, scope)
        if items is None:
            items = items_marker(batch_id, loop.items, batch.span, self.todo,
                                 f"the items batch {batch_id} is built once per item of")
        items_var = self.names.name(f"items:{batch_id}", f"{batch_id}_items")
        function = self.names.name(f"each:{batch_id}", f"each_{batch_id}")
        self.open_items.append(batch_id)
        body = self._layout(loop.condition, inside, wait)
        self.open_items.pop()
        return [
            Line(f"{items_var} = {items}", f"one batch {batch_id} per item, {batch.span}"),
            ItemFunction(function, self.per_item.items[batch_id][1], tuple(body)),
            Line(f"run.each({items_var}, {function})"),
        ]

    def _item_names(self, actor: str | None) -> dict[str, str]:
        """The items of the per-item loops being written that `actor`'s code is in."""
        names: dict[str, str] = {}
        for batch_id in self.open_items:
            if self.batches[batch_id].created_by == actor:
                ruby, python = self.per_item.items[batch_id]
                if ruby:
                    names[ruby] = python
        return names

    def _scope(self, actor: str | None) -> Scope:
        """What Ruby names mean in `actor`'s code here, the items of its loops included."""
        scope = self.scopes.chain(actor)
        items = self._item_names(actor)
        return replace(scope, names={**scope.names, **items}) if items else scope

    def _member(self, node: str, wait: Waits) -> tuple[list[Statement], str | None, str | None]:
        if node in self.batches:
            return self._new_batch(node), None, None
        if node in self.jobs:
            return self._job(self.jobs[node], wait)
        if node in self.starts:
            start = self.starts[node]
            started = self._start(node, self._spawner_wait(start.spawned_by, wait))
            return started, start.condition, start.spawned_by
        if node in self.raises:
            raised = self.raises[node]
            return [raise_line(raised, self.todo)], raised.condition, raised.raised_by
        return self._registration(self.callbacks[node])

    def _job(self, job: Job, wait: Waits) -> tuple[list[Statement], str | None, str | None]:
        if self.open_items and job.fan_out and (
                job.loop is None or any(self.batches[b].loop == job.loop for b in self.open_items)):
            # many jobs in Ruby because of the per-item loop (in its body, or in a callback
            # registered there): one job per call of the loop body here
            job = replace(job, fan_out=False, loop=None)
        holder = self._holder(job.id, job.batch)
        scope = self._scope(job.spawned_by)
        var = self.names.name(job.id, to_var(_short(job.worker)) if not job.placeholder else job.id)
        job_wait = wait_for(self._spawner_wait(job.spawned_by, wait))
        condition, per_item = job.condition, None
        if job.fan_out and job.loop is not None and not is_bulk(job):
            # `next if ...` in the loop: a test per item, in the comprehension, never
            # an `if` around the whole fan-out
            per_item = relative_condition(job.condition, job.loop.condition)
            condition = job.loop.condition if per_item is not None else condition
        test = None
        if per_item is not None and job.loop is not None:
            variables = job.loop.variables[:1]

            def test(inner: Scope, ruby: str = per_item) -> str:
                items = tuple(inner.names[v] for v in variables if v in inner.names)
                return self.conditions.test_in(ruby, inner, job.id, items, per_item=True)
        lines = submit_line(job, self.tasks[job.id], var, holder, job_wait, scope, self.todo, self._local,
                            test)
        return list(lines), condition, job.spawned_by

    def _local(self, wanted: str) -> str:
        """A comprehension variable's name: kept from the flow's own names, one per wanted name."""
        return self.names.name(f"comprehension:{wanted}", wanted)

    def _spawner_wait(self, spawned_by: str | None, wait: Waits) -> Waits:
        """What a job (or a workflow start) another job's perform set off waits for: that
        job too. The enqueuing job is an orchestration no-op in the flow, and if it died,
        Sidekiq never got its enqueues."""
        if spawned_by not in self.jobs:
            return wait
        return (self.names.get(spawned_by or ""), *wait)

    def _new_batch(self, batch_id: str) -> list[Statement]:
        batch = self.batches[batch_id]
        var = self._batch_var(batch_id)
        description, note = description_arg(batch, self._scope(batch.created_by), self.todo)
        holder = self._holder(batch_id, batch.parent)
        maker = f"{holder}.child" if holder != "run" else "run.batch"
        where = f"batch {batch_id}, {batch.span}" + (f"; {note}" if note else "")
        return [Line(f"{var} = {maker}({description})", where)]

    def _holder(self, node: str, batch: str | None) -> str:
        """The batch the flow counts `node` in: its Ruby batch, unless a `:death` callback
        added it there after that batch may have finished (then no callback waits for it)."""
        if batch is None or batch in self.blocks.raced.get(node, ()):
            return "run"
        return self._batch_var(batch)

    def _start(self, start_id: str, waits: Waits) -> list[Statement]:
        start = self.starts[start_id]
        scope = self._scope(start.spawned_by)
        params = self.params_of.get(start.workflow, ())
        pairs = []
        # by the started flow's own parameter names: the deployment is run with these keys
        for name, arg in zip(param_names(params), start.args, strict=False):
            pairs.append(f"{to_python(name)}: {self._start_arg(arg, scope, start)}")
        note = "restarts this workflow" if start.restart else "runs on its own; not waited for"
        # a task, so the start waits for the callback's batch like the callback's jobs do
        wait = wait_for(waits)
        wait_arg = f", wait_for={wait}" if wait else ""
        parameters = "{" + ", ".join(pairs) + "}"
        call = f"run.add(start_other_workflow.submit({to_python(start.workflow)}, {parameters}{wait_arg}))"
        return [Line(call, f"{note}, {start.span}")]

    def _start_arg(self, arg: str, scope: Scope, start: Start) -> str:
        translated = translate(arg, scope)
        if translated is not None:
            return translated
        span = start.span
        self.todo.add(start.id, diag.UNTRANSLATED_VALUE, (span.file, span.line, span.col),
                      f"argument `{arg}` of the start of {start.workflow} is not translated")
        return f"ruby_value({to_python(arg)}, {to_python(str(span))})"

    def _registration(self, cb: Callback) -> tuple[list[Statement], str | None, str | None]:
        if cb.placeholder:
            self.todo.add(cb.id, diag.UNTRANSLATED_CALLBACK, (cb.span.file, cb.span.line, cb.span.col),
                          f"callback `{cb.target}` is only known at run time; its work is not in the flow")
            return [Comment(f"NOT TRANSLATED: on {cb.event} -> {to_comment(cb.target)} is only known "
                            f"at run time ({cb.span})")], None, None
        if cb.repeats is not None:
            self.todo.add(cb.id, diag.UNTRANSLATED_LOOP, (cb.span.file, cb.span.line, cb.span.col),
                          f"{cb.target} registers itself again (a loop); the flow runs one round")
            return [Comment(f"NOT TRANSLATED: {cb.target} registers itself again here (a loop); "
                            f"this flow runs one round ({cb.span})")], None, None
        statements = self._callback_block(cb)
        if not self._has_work(cb.id):
            return statements, None, None  # a comment needs no guard
        return statements, cb.condition, cb.registered_by

    def _batch_var(self, batch_id: str | None) -> str:
        return self.names.name(f"batch:{batch_id}", f"{batch_id}")


def _short(worker: str) -> str:
    name = worker.rsplit("::", 1)[-1]
    for suffix in ("Worker", "Job"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _codes(statements: list[Statement]) -> list[str]:
    found: list[str] = []
    for statement in statements:
        if isinstance(statement, Line):
            found.append(statement.code)
        elif isinstance(statement, Guard):
            found.append(statement.test)
            found += _codes(list(statement.body))
        elif isinstance(statement, CallbackBlock):
            found += _codes(list(statement.body))
    return found


def _trailing_defaults(workflow: Workflow, names: tuple[str, ...]) -> tuple[tuple[str, object], ...]:
    """The starter's literal defaults on the parameters after its last required one, by
    the parameters' Python `names`."""
    known = dict(workflow.defaults)
    trailing: list[tuple[str, object]] = []
    for param, name in reversed(list(zip(workflow.params, names, strict=True))):
        if param not in known:
            break
        trailing.append((name, known[param]))
    return tuple(reversed(trailing))
