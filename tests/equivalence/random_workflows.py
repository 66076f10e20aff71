"""Random Sidekiq Batch workflows, as specs, for the property-based equivalence test.

A workflow is a tree of batches: each has jobs (enqueued in every Sidekiq and ActiveJob
form, some fanned out, some under a condition on a starter parameter, some whose
perform enqueues more jobs or adds to its own batch), child batches made in its `jobs`
block, and callbacks (success / complete / death, with options, on every target form).
A callback's body enqueues jobs under conditions on `status` and `options`, chains the
next step (a child batch in the reopened parent, plain jobs in the reopened parent, or
a new outermost batch), starts another workflow, or starts this one again.
`random_ruby.ruby_workflow` writes a spec as Ruby files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

EVENTS = ("success", "complete", "death")
ENQUEUE_FORMS = ("perform_async", "perform_in", "perform_at", "perform_bulk", "client_push", "set_queue",
                 "perform_later")
#: how a job is fanned out: a literal loop, or a loop over a starter parameter
FAN_OUTS = ("each", "each_with_index", "map", "times", "range", "items", "count")
#: a condition per item, written first in a fan-out's loop body (`i`: the item, or the index)
SKIPS = ("next if i == 1", "next unless i == 1", "next if i.zero?", "next unless i > 1")
TARGETS = ("method", "class", "self")
#: how a callback finds the batch it adds to
REOPENS = ("parent_bid", "local_bid", "ivar", "option")

#: starter parameters and the values a run may give them
PARAMETER_VALUES: dict[str, tuple[object, ...]] = {
    "flag": (True, False),
    "mode": ("fast", "slow"),
    "count": (0, 1, 2),
    "items": ((), (7,), (7, 8)),
}
#: conditions on starter parameters, for the starter's jobs blocks
PARAMETER_CONDITIONS = ("flag", "!flag", "mode == 'fast'", "mode != 'fast'", "count > 1", "count.zero?",
                        "items.empty?", "items.any?")
#: conditions on the callback status
STATUS_CONDITIONS = ("status.failures > 0", "status.failures.zero?", "status.failures.positive?",
                     "status.total > 1", "status.total == 1", "status.pending.zero?", "status.pending > 0")
#: conditions on callback options, which hold `'k' => 1` or `'k' => 2`, `'flag' => flag` and
#: `'mode' => mode`
OPTION_CONDITIONS = ("options['k'] == 1", "options['k'] > 1", "options['flag']", "!options['flag']",
                     "options['mode'] == 'fast'")
#: shapes the converter does not read yet: written only once this set lets them
#: - per_item_death_reopen: a `:death` callback of a batch built once per item that adds
#:   to the reopened parent. The graph calls what a death adds to a batch above it raced
#:   (the parent's callbacks may have run); with a batch per item, each item's death comes
#:   while the parent still waits for the other items, and Ruby orders the addition first
OPEN_FINDINGS: frozenset[str] = frozenset({"per_item_death_reopen"})
#: how a conditional statement is written
CONDITION_FORMS = ("modifier", "block", "unless", "else", "case")


@dataclass(kw_only=True)
class JobSpec:
    form: str = "perform_async"
    fan_out: str | None = None
    #: `next if ...` before the enqueue in the fan-out's loop body: a condition per item
    skip: str | None = None
    #: a second job of the same worker, next to the first
    twice: bool = False
    #: jobs its perform enqueues (in no batch)
    enqueues: list[JobSpec] = field(default_factory=list)
    #: jobs its perform adds to its own batch (`batch.jobs do`, or `Sidekiq::Batch.new(bid).jobs do`)
    adds: list[JobSpec] = field(default_factory=list)
    #: perform re-enqueues its own worker once
    again: bool = False


@dataclass(kw_only=True)
class Statement:
    """One thing a jobs block or a callback does, maybe under a condition."""

    #: enqueue | chain | add_to_parent | new_batch | restart | other_workflow
    kind: str
    job: JobSpec | None = None
    batch: BatchSpec | None = None
    condition: str | None = None
    form: str = "modifier"
    #: the job of the other branch (`else`, `case`)
    other: JobSpec | None = None
    #: how a chain or add_to_parent finds the parent batch
    reopen: str = "parent_bid"
    #: a callback's new_batch written in a class method of another module, which the
    #: callback calls (`NextSteps.step3`): the chain goes through a method call
    class_method: bool = False


@dataclass(kw_only=True)
class CallbackSpec:
    event: str
    target: str = "method"
    #: a `'k' => value` option, and whether the parameters travel as options too
    option: int | None = None
    pass_parameters: bool = False
    #: `return unless <condition>` before the body
    early_return: str | None = None
    body: list[Statement] = field(default_factory=list)


@dataclass(kw_only=True)
class BatchSpec:
    statements: list[Statement] = field(default_factory=list)
    children: list[BatchSpec] = field(default_factory=list)
    callbacks: list[CallbackSpec] = field(default_factory=list)
    #: held in an instance variable instead of a local
    ivar: bool = False
    #: a child built once per item of a loop (`[1, 2].each do |item| ... end`): each item's
    #: batch holds that item's jobs only
    per_item: bool = False


@dataclass(kw_only=True)
class WorkflowSpec:
    root: BatchSpec
    #: module the classes live in, or None
    namespace: str | None
    #: one Ruby file per class under app/, or everything in one file
    split_files: bool
    #: the starter is an instance method (`RandomFlow#start`) rather than `RandomFlow.start`
    instance_starter: bool
    #: the root batch is built by a private helper method
    helper_batch: bool
    #: or by a helper that takes the starter's block as its jobs (`yield`, `&block` or `&`)
    helper_block: str | None = None
    #: the jobs of the root batch are enqueued by a private helper method
    helper_enqueue: bool
    #: a value for every starter parameter (the Ruby declares those it reads)
    values: dict[str, object]


@st.composite
def jobs(draw: st.DrawFn, depth: int, in_starter: bool = True, in_batch: bool = True,
         in_perform: bool = False) -> JobSpec:
    """A job; only one enqueued in a jobs block can add to its own batch."""
    form = draw(st.sampled_from(ENQUEUE_FORMS))
    fan_out = None
    if form != "perform_bulk" and draw(st.integers(0, 3)) == 0:
        fan_out = draw(st.sampled_from(FAN_OUTS if in_starter else FAN_OUTS[:5]))
    spec = JobSpec(form=form, fan_out=fan_out, twice=draw(st.integers(0, 7)) == 0)
    if fan_out is not None and draw(st.integers(0, 2)) == 0:
        spec.skip = draw(st.sampled_from(SKIPS))
    if form != "perform_later" and not in_perform and depth < 4 and draw(st.integers(0, 5)) == 0:
        spec.enqueues = draw(st.lists(jobs(depth + 1, False, False, True), max_size=1))
        if in_batch:
            spec.adds = draw(st.lists(jobs(depth + 1, False, True, True), max_size=2 - len(spec.enqueues)))
        # a job that re-enqueues itself does so outside any batch, where it could not add to one
        spec.again = not spec.adds and draw(st.integers(0, 3)) == 0
    return spec


@dataclass(frozen=True)
class Scope:
    """What code at some place can read: the starter's parameters, or a callback's
    status and options."""

    conditions: tuple[str, ...]
    in_starter: bool


STARTER = Scope(PARAMETER_CONDITIONS, True)


@st.composite
def statements(draw: st.DrawFn, depth: int, scope: Scope, kinds: tuple[str, ...],
               in_batch: bool) -> Statement:
    kind = draw(st.sampled_from(kinds))
    statement = Statement(kind=kind)
    in_batch = in_batch or kind == "add_to_parent"
    if kind in ("enqueue", "add_to_parent"):
        statement.job = draw(jobs(depth, scope.in_starter, in_batch))
    elif kind in ("chain", "new_batch"):
        statement.batch = draw(batches(depth + 1, kind == "chain", scope))
        statement.class_method = kind == "new_batch" and not scope.in_starter and draw(st.booleans())
    if kind in ("chain", "add_to_parent"):
        statement.reopen = draw(st.sampled_from(REOPENS))
    if kind == "restart":
        # a workflow that starts itself again, once, when something failed: the starter's
        # `attempt:` travels in the callback options
        statement.condition, statement.form = "status.failures > 0 && options['attempt'].zero?", "block"
    elif draw(st.integers(0, 2)) == 0:
        statement.condition = draw(_condition(scope.conditions))
        statement.form = draw(st.sampled_from(CONDITION_FORMS if kind == "enqueue" else CONDITION_FORMS[:3]))
        if statement.form in ("else", "case"):
            statement.other = draw(jobs(depth, scope.in_starter, in_batch))
    return statement


def _condition(atoms: tuple[str, ...]) -> st.SearchStrategy[str]:
    single = st.sampled_from(atoms)
    both = st.tuples(single, st.sampled_from(("&&", "||")), single).map(" ".join)
    return st.one_of(single, single, both)


#: what a callback does, on a batch with a parent and on an outermost one
_CALLBACK = ("enqueue",) * 4 + ("chain", "add_to_parent", "new_batch", "restart", "other_workflow")
_ROOT_CALLBACK = ("enqueue",) * 4 + ("new_batch", "restart", "other_workflow")


@st.composite
def batches(draw: st.DrawFn, depth: int = 0, has_parent: bool = False, scope: Scope = STARTER) -> BatchSpec:
    most = 5 if depth == 0 else 4 if depth < 2 else 2
    # the outermost batch has a job: a starter that pushes none is no workflow
    least = 1 if depth == 0 else 0
    spec = BatchSpec(statements=draw(st.lists(statements(depth, scope, ("enqueue",), True), min_size=least,
                                              max_size=most)),
                     ivar=draw(st.integers(0, 5)) == 0)
    if depth < 4 and draw(st.integers(0, depth)) == 0:
        children = batches(depth + 1, True, scope)
        spec.children = draw(st.lists(children, min_size=1, max_size=2 if depth < 2 else 1))
        # one level of them: nested, the jobs multiply past the oracle's limit
        per_item = depth == 0
        for child in spec.children:
            child.per_item = per_item and draw(st.integers(0, 3)) == 0
            if child.per_item and "per_item_death_reopen" in OPEN_FINDINGS:
                for callback in child.callbacks:
                    if callback.event == "death":
                        callback.body = [s for s in callback.body if s.kind not in ("chain", "add_to_parent")]
    for event in draw(st.lists(st.sampled_from(EVENTS), max_size=3 if depth < 2 else 1)):
        spec.callbacks.append(draw(callbacks(event, depth, has_parent, scope.in_starter)))
    return spec


@st.composite
def callbacks(draw: st.DrawFn, event: str, depth: int, has_parent: bool, in_starter: bool) -> CallbackSpec:
    """A callback; only one the starter registers can restart the workflow (it knows the attempt)."""
    spec = CallbackSpec(event=event, target=draw(st.sampled_from(TARGETS)))
    # `:death` fires at the first death, while other jobs may still run: what is pending then
    # (and what a perform has added so far) depends on the schedule, so a death callback
    # reads only `status.failures`
    conditions = STATUS_CONDITIONS if event != "death" else STATUS_CONDITIONS[:3]
    if draw(st.booleans()):
        spec.option = draw(st.sampled_from((1, 2)))
        conditions += OPTION_CONDITIONS[:2]
    if draw(st.booleans()):
        spec.pass_parameters = True
        conditions += OPTION_CONDITIONS[2:]
    scope = Scope(conditions, False)
    if draw(st.integers(0, 4)) == 0:
        spec.early_return = draw(_condition(conditions))
    kinds = _CALLBACK if has_parent else _ROOT_CALLBACK
    if not in_starter:
        kinds = tuple(kind for kind in kinds if kind != "restart")
    if event == "death" and "death_adds_to_parent" in OPEN_FINDINGS:
        kinds = tuple(kind for kind in kinds if kind not in ("chain", "add_to_parent"))
    if depth >= 4:
        kinds = ("enqueue",)
    spec.body = draw(st.lists(statements(depth, scope, kinds, False), max_size=2))
    return spec


@st.composite
def workflows(draw: st.DrawFn) -> WorkflowSpec:
    return WorkflowSpec(
        root=draw(batches()),
        namespace=draw(st.sampled_from((None, "Shop"))),
        split_files=draw(st.booleans()),
        instance_starter=draw(st.booleans()),
        helper_block=(block := draw(st.sampled_from((None, None, None, "yield", "&block", "&")))),
        helper_batch=block is None and draw(st.integers(0, 3)) == 0,
        helper_enqueue=draw(st.integers(0, 3)) == 0,
        values={name: draw(st.sampled_from(values)) for name, values in PARAMETER_VALUES.items()},
    )
