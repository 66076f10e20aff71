"""The workflow graph: frozen dataclasses, every node with its source span.

A workflow is what one starter sets in motion: the batches it creates (a forest:
children made inside a parent's `jobs` block), the jobs enqueued, the callbacks
registered, and the other workflows it starts. `edges` carry Sidekiq's
happens-before between those nodes (see `analysis.ordering`).
"""

from __future__ import annotations

from dataclasses import dataclass

from batch2flow.diagnostics import Diagnostic

EVENTS = ("success", "complete", "death")


@dataclass(frozen=True)
class Span:
    #: path relative to the scanned argument
    file: str
    #: 1-based
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Loop:
    """The Ruby loop (or bulk push) a fan-out job is enqueued in."""

    #: each, find_each, times, perform_bulk, ...
    method: str
    #: Ruby source of what is iterated (the loop's receiver, or the bulk args)
    items: str
    #: the block's parameter names
    variables: tuple[str, ...]
    #: the Ruby conditions where the loop begins, joined with `&&`: one written inside it
    #: (`next if ...`) holds per item, and is kept inside the loop
    condition: str | None = None
    #: the batch whose `jobs` block the loop is in: a batch built in the loop is one per item
    batch: str | None = None


@dataclass(frozen=True)
class Batch:
    id: str
    #: where `Sidekiq::Batch.new` was called
    span: Span
    #: the batch whose `jobs` block created this one, or None for a root batch
    parent: str | None
    description: str | None
    callback_queue: str | None
    #: the job or callback whose code created it; None for the starter
    created_by: str | None = None
    #: the Ruby assigned to `description=` when it is no plain literal (`"Run #{id}"`);
    #: `description` then holds it as written, without the quotes
    description_ruby: str | None = None
    #: the loop it is built in, one batch per item (`accounts.each { |a| Sidekiq::Batch.new ...}`)
    loop: Loop | None = None


@dataclass(frozen=True)
class RubyStatement:
    """One statement of Ruby, where it is and as written."""

    span: Span
    ruby: str


@dataclass(frozen=True)
class Job:
    id: str
    #: fully qualified worker class; the Ruby source when it is a placeholder
    worker: str
    span: Span
    #: how it was enqueued: perform_async, perform_later, push_bulk, ...
    via: str
    #: the batch whose jobs block enqueued it; None when it runs in no batch
    batch: str | None
    #: enqueued in a loop or in bulk: one node stands for many jobs
    fan_out: bool
    #: Ruby conditions the enqueue sits under, joined with `&&`; None when unconditional
    condition: str | None
    #: the job or callback whose code enqueued it; None for the starter itself
    spawned_by: str | None
    #: the worker class could not be known statically (see the diagnostics)
    placeholder: bool
    #: Ruby source of each argument
    args: tuple[str, ...]
    #: the innermost loop around the enqueue, for fan-out jobs
    loop: Loop | None = None
    #: Ruby source of the delay or time of `perform_in` / `perform_at`
    delay: str | None = None
    #: for a job whose perform orchestrates (builds batches, enqueues): the statements of its
    #: perform that do something else (update a record, log), which the flow does not run
    other_work: tuple[RubyStatement, ...] = ()


@dataclass(frozen=True)
class Callback:
    id: str
    batch: str
    event: str
    #: `Klass#method`; the Ruby source when it is a placeholder
    target: str
    span: Span
    #: Ruby source of the options argument, None when there is none
    options: str | None
    condition: str | None
    placeholder: bool
    #: where the target method is defined, None when it was not found
    method_span: Span | None
    #: set when this registration re-enters a callback already running (a loop)
    repeats: str | None
    #: the job or callback whose code registered it; None for the starter
    registered_by: str | None = None


@dataclass(frozen=True)
class Start:
    """A call that starts another workflow (or restarts this one)."""

    id: str
    workflow: str
    span: Span
    spawned_by: str | None
    condition: str | None
    #: the workflow starts itself again: a cycle, not followed
    restart: bool
    #: Ruby source of the arguments the starter is called with
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Raise:
    """A place where the Ruby raises before going on (`on(:sucess, ...)`): nothing after
    it in that code runs."""

    id: str
    span: Span
    #: "ErrorClass: message", as Ruby would report it
    error: str
    #: the job or callback whose code raises; None for the starter
    raised_by: str | None
    condition: str | None
    #: the Ruby that raises, as written (on one line)
    ruby: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    #: success | complete | death
    on: str
    condition: str | None = None
    #: closes a loop (a callback that re-registers itself)
    loop: bool = False


@dataclass(frozen=True)
class Workflow:
    #: snake_case, unique, usable as a Python name
    name: str
    #: `Klass#method` or `Klass.method` of the starter
    starter: str
    params: tuple[str, ...]
    entry: Span
    batches: tuple[Batch, ...]
    jobs: tuple[Job, ...]
    callbacks: tuple[Callback, ...]
    starts: tuple[Start, ...]
    edges: tuple[Edge, ...]
    raises: tuple[Raise, ...] = ()
    #: starter parameter -> its Ruby default, for those whose default is a plain literal
    #: (`ruby.literals`): an int, float, str, bool or None
    defaults: tuple[tuple[str, object], ...] = ()
    #: per starter parameter: req, opt, rest, key, keyreq, keyrest or block
    param_kinds: tuple[str, ...] = ()
    #: False for a workflow only other workflows start (a step chained from a callback):
    #: it runs in their flow runs and gets no deployment of its own
    entry_point: bool = True
    #: the starter is an instance method of a class whose `initialize` needs arguments:
    #: nothing but the app can build the object it runs on
    constructor_args: bool = False


@dataclass(frozen=True)
class Worker:
    name: str
    #: sidekiq | active_job
    kind: str
    span: Span
    perform_params: tuple[str, ...]
    queue: str | None
    #: Sidekiq `retry:` (a count, or True/False) or ActiveJob `retry_on ... attempts:`
    retry: int | bool | None
    #: per perform parameter: req, opt, rest, key, keyreq, keyrest or block
    perform_kinds: tuple[str, ...] = ()
    #: the Ruby source of `perform`, for porting a worker to Python
    perform_source: str | None = None
    #: ActiveJob's `retry_on` applies (in the class or one it inherits from): a retry is a
    #: new job, pushed by the failed one
    retry_on: bool = False


@dataclass(frozen=True)
class Graph:
    workflows: tuple[Workflow, ...]
    workers: tuple[Worker, ...]
    diagnostics: tuple[Diagnostic, ...]
    #: worker class -> cron, for workers registered as Sidekiq Enterprise periodic jobs
    schedules: tuple[tuple[str, str], ...] = ()
    #: how many Ruby files were read (a run that found no workflow says so, with this count)
    files_read: int = 0
