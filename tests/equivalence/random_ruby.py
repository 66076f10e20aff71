"""Writes a random WorkflowSpec as idiomatic Ruby: a starter, its workers, callbacks and
helpers, in one file or one file per class (a Rails tree, as Zeitwerk loads it).

Every job spec gets a worker of its own (two jobs of one worker sit side by side in
one block), so the three sides compare worker by worker. The writer also names the
shapes it wrote, for the test's statistics.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from equivalence.random_workflows import (
    PARAMETER_VALUES,
    BatchSpec,
    CallbackSpec,
    JobSpec,
    Statement,
    WorkflowSpec,
)

STARTER_CLASS = "RandomFlow"
#: the starter's parameters, in the order it declares them: `attempt:` counts restarts
PARAMETERS = (*PARAMETER_VALUES, "attempt")
OTHER_CLASS = "OtherFlow"
#: the module whose class methods build the steps a callback chains to
NEXT_STEPS = "NextSteps"
#: the description of the outermost batch: a run of the workflow is a batch with it
DESCRIPTION = "Random flow"


@dataclass(frozen=True)
class RubyWorkflow:
    #: path under the tree's root -> Ruby source
    files: dict[str, str]
    #: every worker of the workflow, fully qualified
    workers: list[str]
    #: the starter as batch2flow labels it: `RandomFlow.start` or `RandomFlow#start`
    starter: str
    #: the starter's parameters, by name, as JSON values
    arguments: dict[str, object]
    #: the workers of the other workflow a callback starts (empty when none does)
    other_workers: list[str] = field(default_factory=list)
    #: the shapes written, for `hypothesis.event`
    shapes: frozenset[str] = frozenset()


@dataclass
class _Context:
    """Where code is written: in the starter (its parameters in scope), in a callback
    (its status and options), or in a perform."""

    in_starter: bool
    #: Ruby that yields the bid of the batch a new batch is made in, for a `'bid' =>` option
    parent_bid: str | None = None
    #: the event of the callback the code is in
    event: str | None = None


@dataclass
class _Worker:
    name: str
    active_job: bool
    body: list[str] = field(default_factory=list)


class RubyWriter:
    def __init__(self, spec: WorkflowSpec, signature: list[str]) -> None:
        self.spec = spec
        self.signature = signature
        self.ns = spec.namespace
        self.workers: list[_Worker] = []
        self.steps: list[list[str]] = []  # methods of the Steps class
        self.callback_classes: list[tuple[str, list[str]]] = []
        self.own_callbacks: dict[str, list[str]] = {}  # on_<event> methods of the starter class
        self.helpers: list[tuple[str, list[str]]] = []  # (name, method) of private helpers
        self.batch_count = 0
        self.used: set[str] = set()
        #: starter parameters a fan-out iterates over
        self.fanned: set[str] = set()
        self.shapes: set[str] = set()
        self.other_flow = False
        #: class methods of NEXT_STEPS, each building the next step's batch
        self.next_steps: list[list[str]] = []
        self.restarts = False

    # names -------------------------------------------------------------------------------

    def qualified(self, name: str) -> str:
        return f"{self.ns}::{name}" if self.ns else name

    def ref(self, name: str, index: int) -> str:
        """A constant as code inside the namespace names it: relative or qualified."""
        if self.ns and index % 2:
            self.shapes.add("constant named relative to its module")
            return name
        return self.qualified(name)

    def literal(self, value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return repr(value)
        if isinstance(value, tuple):
            return "[" + ", ".join(self.literal(v) for v in value) + "]"
        return str(value)

    def reads(self, ruby: str) -> str:
        """Note the starter parameters `ruby` reads (outside a string or `options[...]`)."""
        for name in PARAMETERS:
            if re.search(rf"(?<!['\w]){name}\b(?!')", ruby):
                self.used.add(name)
        return ruby

    # the workflow ------------------------------------------------------------------------

    def write(self) -> dict[str, str]:
        spec = self.spec
        self.shapes.add("namespaced" if self.ns else "top-level classes")
        self.shapes.add("one file per class" if spec.split_files else "one file")
        self.shapes.add("instance-method starter" if spec.instance_starter else "class-method starter")
        depth = self.nesting(spec.root)
        self.shapes.add(f"{min(depth, 4)}{'+' if depth >= 4 else ''} batches deep")
        start = self.starter_body(spec.root)
        classes = self.classes(start)
        if spec.split_files:
            return {path: self.file([source]) for path, source in classes}
        return {"random_flow.rb": self.file([source for _, source in classes])}

    def file(self, sources: list[str]) -> str:
        body = "\n".join(sources)
        if self.ns:
            body = f"module {self.ns}\n" + _indent(body, 1) + "end\n"
        return "# frozen_string_literal: true\n\n" + body

    def classes(self, start: list[str]) -> list[tuple[str, str]]:
        folder = f"{_snake(self.ns)}/" if self.ns else ""
        out: list[tuple[str, str]] = []
        if any(w.active_job for w in self.workers):
            out.append(("app/jobs/application_job.rb", "class ApplicationJob < ActiveJob::Base\nend\n"))
        for worker in self.workers:
            kind = "jobs" if worker.active_job else "workers"
            out.append((f"app/{kind}/{folder}{_snake(worker.name)}.rb", self.worker_class(worker)))
        for name, body in self.callback_classes:
            out.append((f"app/callbacks/{folder}{_snake(name)}.rb", f"class {name}\n" + _indent_lines(body, 1)
                        + "end\n"))
        if self.steps:
            methods = "\n".join(_indent_lines(m, 1) for m in self.steps)
            out.append((f"app/callbacks/{folder}steps.rb", f"class Steps\n{methods}end\n"))
        out.append((f"app/services/{folder}{_snake(STARTER_CLASS)}.rb", self.starter_class(start)))
        if self.next_steps:
            methods = "\n".join(_indent_lines(m, 1) for m in self.next_steps)
            module = f"module {NEXT_STEPS}\n{methods}end\n"
            out.append((f"app/services/{folder}{_snake(NEXT_STEPS)}.rb", module))
        if self.other_flow:
            out.append((f"app/services/{folder}{_snake(OTHER_CLASS)}.rb", self.other_class()))
            for name in self.other_workers():
                worker = self.worker_class(_Worker(name, False))
                out.append((f"app/workers/{folder}{_snake(name)}.rb", worker))
        return out

    def worker_class(self, worker: _Worker) -> str:
        head = f"class {worker.name} < ApplicationJob\n" if worker.active_job else \
            f"class {worker.name}\n  include Sidekiq::Job\n\n"
        if not worker.body:
            return head + "  def perform(*args); end\nend\n"
        return head + "  def perform(*args)\n" + _indent_lines(worker.body, 2) + "  end\nend\n"

    def starter_class(self, start: list[str]) -> str:
        prefix = "" if self.spec.instance_starter else "self."
        names = [f"{name}: 0" if name == "attempt" else name for name in self.signature]
        params = f"({', '.join(names)})" if names else ""
        methods = [[f"def {prefix}start{params}", *_indent_list(start), "end"]]
        for event, body in self.own_callbacks.items():
            methods.append([f"def on_{event}(status, options)", *_indent_list(body), "end"])
        if self.helpers and self.spec.instance_starter:
            methods.append(["private"])
            methods.extend(method for _, method in self.helpers)
        elif self.helpers:
            methods.extend(method for _, method in self.helpers)
            methods.append([f"private_class_method {', '.join(':' + name for name, _ in self.helpers)}"])
        text = "\n".join(_indent_lines(m, 1) for m in methods)
        return f"class {STARTER_CLASS}\n{text}end\n"

    def other_class(self) -> str:
        step, done = self.other_workers()
        return (f"class {OTHER_CLASS}\n  def self.start\n    batch = Sidekiq::Batch.new\n"
                f"    batch.on(:success, '{self.qualified(OTHER_CLASS)}#done')\n"
                f"    batch.jobs do\n      {step}.perform_async\n    end\n  end\n\n"
                f"  def done(status, options)\n    {done}.perform_async\n  end\nend\n")

    def other_workers(self) -> tuple[str, str]:
        return "OtherStepWorker", "OtherDoneWorker"

    # the starter -------------------------------------------------------------------------

    def starter_body(self, root: BatchSpec) -> list[str]:
        context = _Context(in_starter=True)
        if self.spec.helper_block:
            return self.block_helper(root, context, self.spec.helper_block)
        if self.spec.helper_batch:
            self.shapes.add("helper method builds the batch")
            var = self.batch_var(root)
            saved, self.used = self.used, set()
            made = self.new_batch(root, var, context)
            params = [p for p in PARAMETERS if p in self.used]
            self.used |= saved
            args = f"({', '.join(params)})" if params else ""
            prefix = "" if self.spec.instance_starter else "self."
            method = [f"def {prefix}build_batch{args}", *_indent_list(made), f"  {var}", "end"]
            self.helpers.append(("build_batch", method))
            lines = [f"{var} = build_batch{args}"]
        else:
            var = self.batch_var(root)
            lines = self.new_batch(root, var, context)
        lines.insert(1 if not self.spec.helper_batch else len(lines), f"{var}.description = {DESCRIPTION!r}")
        lines += self.jobs_block(root, var, context, helper=self.spec.helper_enqueue)
        return [*lines, f"{var}.bid"]

    def block_helper(self, root: BatchSpec, context: _Context, form: str) -> list[str]:
        """`with_batch(...) do ... end`: a helper builds the batch and registers its
        callbacks; the starter's block is its jobs (through `yield`, `&block` or `&`). The
        batch is an instance variable, which the helper and the block share."""
        self.shapes.add(f"helper takes the jobs as a block ({form})")
        var = self.batch_var(dataclasses.replace(root, ivar=True))
        saved, self.used = self.used, set()
        made = [*self.new_batch(root, var, context), f"{var}.description = {DESCRIPTION!r}"]
        params = [p for p in PARAMETERS if p in self.used]
        self.used |= saved
        jobs = self.jobs_block(root, var, context, helper=self.spec.helper_enqueue)
        block_param = {"yield": "", "&block": ", &block", "&": ", &"}[form]
        signature = ", ".join(params) + block_param if params else block_param.removeprefix(", ")
        run_jobs = {"yield": [f"{var}.jobs do", "  yield", "end"], "&block": [f"{var}.jobs(&block)"],
                    "&": [f"{var}.jobs(&)"]}[form]
        prefix = "" if self.spec.instance_starter else "self."
        self.helpers.append(("with_batch", [f"def {prefix}with_batch({signature})" if signature
                                           else f"def {prefix}with_batch", *_indent_list([*made, *run_jobs]),
                                           "end"]))
        args = f"({', '.join(params)})" if params else ""
        return [f"with_batch{args} do", *jobs[1:-1], "end", f"{var}.bid"]

    def batch_var(self, spec: BatchSpec) -> str:
        self.batch_count += 1
        if spec.ivar:
            self.shapes.add("batch held in an instance variable")
            return f"@b{self.batch_count}"
        return f"b{self.batch_count}"

    def new_batch(self, spec: BatchSpec, var: str, context: _Context) -> list[str]:
        """`var = Sidekiq::Batch.new` and its callbacks."""
        lines = [f"{var} = Sidekiq::Batch.new"]
        events = [c.event for c in spec.callbacks]
        if len(events) != len(set(events)):
            self.shapes.add("two callbacks of one event on one batch")
        for callback in spec.callbacks:
            lines.append(self.register(var, callback, context))
        return lines

    def batch(self, spec: BatchSpec, context: _Context) -> list[str]:
        """A whole batch: made, its callbacks registered, its jobs block; once per item
        of a loop for a per-item child."""
        var = self.batch_var(spec)
        lines = self.new_batch(spec, var, context) + self.jobs_block(spec, var, context)
        if not spec.per_item:
            return lines
        self.shapes.add("a child batch per item of a loop")
        return ["[1, 2].each do |item|", *_indent_list(lines), "end"]

    def nesting(self, spec: BatchSpec) -> int:
        """How many batches deep the tree under `spec` goes, steps chained in callbacks
        counting one deeper."""
        below = [self.nesting(child) for child in spec.children]
        below += [self.nesting(s.batch) for c in spec.callbacks for s in c.body if s.batch is not None]
        return 1 + max(below, default=0)

    def jobs_block(self, spec: BatchSpec, var: str, context: _Context, helper: bool = False) -> list[str]:
        inner = dataclasses.replace(context, parent_bid=f"{var}.bid")
        body: list[str] = []
        for statement in spec.statements:
            body += self.statement(statement, inner)
        if sum(_pushes(line) for line in body) > 3:
            self.shapes.add("more than 3 jobs in one jobs block")
        if helper and body:
            self.shapes.add("helper method enqueues")
            saved, self.used = self.used, set()
            self.reads("\n".join(body))
            params = [p for p in PARAMETER_VALUES if p in self.used]
            self.used |= saved
            args = f"({', '.join(params)})" if params else ""
            prefix = "" if self.spec.instance_starter else "self."
            method = [f"def {prefix}enqueue_steps{args}", *_indent_list(body), "end"]
            self.helpers.append(("enqueue_steps", method))
            body = [f"enqueue_steps{args}"]
        for child in spec.children:
            self.shapes.add("child batch")
            body += self.batch(child, inner)
        if not spec.statements and not spec.children:
            self.shapes.add("empty batch")

        return [f"{var}.jobs do", *_indent_list(body), "end"]

    # callbacks ---------------------------------------------------------------------------

    def register(self, var: str, callback: CallbackSpec, context: _Context) -> str:
        target = self.callback_target(callback, context)
        options = []
        if callback.option is not None:
            options.append(f"'k' => {callback.option}")
            self.shapes.add("callback options")
        if callback.pass_parameters:
            self.shapes.add("parameters passed as callback options")
            for name in ("flag", "mode"):
                value = self.reads(name) if context.in_starter else self.literal(self.spec.values[name])
                options.append(f"'{name}' => {value}")
        if any(s.kind == "restart" for s in callback.body):
            options.append(f"'attempt' => {self.reads('attempt')}")
        if any(s.reopen == "option" and s.kind in ("chain", "add_to_parent") for s in callback.body):
            assert context.parent_bid is not None
            options.append(f"'bid' => {context.parent_bid}")
            self.shapes.add("bid passed as a callback option")
        return f"{var}.on(:{callback.event}, {', '.join([target, *options])})"

    def callback_target(self, callback: CallbackSpec, context: _Context) -> str:
        body = self.callback_body(callback)
        target = callback.target
        if target == "self" and (not self.spec.instance_starter or not context.in_starter
                                 or callback.event in self.own_callbacks):
            target = "class"
        index = len(self.steps) + len(self.callback_classes) + len(self.own_callbacks)
        if target == "self":
            self.shapes.add("self.class callback target")
            self.own_callbacks[callback.event] = body
            return "self.class"
        if target == "class":
            self.shapes.add("class callback target")
            name = f"Step{index + 1}Callback"
            self.callback_classes.append((name, [f"def on_{callback.event}(status, options)",
                                                 *_indent_list(body), "end"]))
            return self.ref(name, index)
        self.shapes.add("'Klass#method' callback target")
        name = f"step{index + 1}_{callback.event}"
        self.steps.append([f"def {name}(status, options)", *_indent_list(body), "end"])
        return f"'{self.qualified('Steps')}#{name}'"

    def callback_body(self, callback: CallbackSpec) -> list[str]:
        self.shapes.add(f"{callback.event} callback")
        context = _Context(in_starter=False, event=callback.event)
        lines = []
        if callback.early_return:
            self.shapes.add("early return in a callback")
            self.condition_shapes(callback.early_return)
            lines += [f"return unless {callback.early_return}", ""]
        for statement in callback.body:
            lines += self.statement(statement, context)
        if lines and lines[-1] == "":
            lines.pop()
        return lines

    # statements --------------------------------------------------------------------------

    def statement(self, statement: Statement, context: _Context) -> list[str]:
        lines = self.action(statement, context)
        if statement.condition is None:
            return lines
        condition = self.reads(statement.condition) if context.in_starter else statement.condition
        self.condition_shapes(condition)
        self.shapes.add("condition in a jobs block" if context.in_starter else "condition in a callback")
        form = statement.form
        self.shapes.add(f"condition written with {form}")
        if form in ("modifier", "unless") and len(lines) == 1:
            word = "if" if form == "modifier" else "unless"
            return [f"{lines[0]} {word} {condition}"]
        if form == "unless":
            return [f"unless {condition}", *_indent_list(lines), "end"]
        if form == "modifier" or form == "block" or statement.other is None:
            return [f"if {condition}", *_indent_list(lines), "end"]
        other = self.enqueue(statement.other, context)
        if form == "else":
            return [f"if {condition}", *_indent_list(lines), "else", *_indent_list(other), "end"]
        subject, value = self.case_subject(condition, context)
        return [f"case {subject}", f"when {value}", *_indent_list(lines), "else", *_indent_list(other), "end"]

    def case_subject(self, condition: str, context: _Context) -> tuple[str, str]:
        """A `case` on a value the code can read, chosen by the condition drawn."""
        if context.in_starter:
            choices = [("mode", "'fast'"), ("count", "0"), ("count", "1, 2")]
        else:
            choices = [("status.failures", "0")]
            if context.event != "death":  # at the first death, what is pending depends on the schedule
                choices.append(("status.pending", "0"))
            if "options['k']" in condition:
                choices.append(("options['k']", "1"))
            if "options['flag']" in condition or "options['mode']" in condition:
                choices.append(("options['mode']", "'fast'"))
        subject, value = choices[sum(map(ord, condition)) % len(choices)]
        if context.in_starter:
            self.reads(subject)
        self.condition_shapes(subject)
        return subject, value

    def condition_shapes(self, condition: str) -> None:
        for word, shape in (("status.failures", "condition on status.failures"),
                            ("status.total", "condition on status.total"),
                            ("status.pending", "condition on status.pending"),
                            ("options[", "condition on callback options"),
                            ("&&", "condition with &&"), ("||", "condition with ||")):
            if word in condition:
                self.shapes.add(shape)
        if any(re.search(rf"(?<!['\w]){p}\b(?!')", condition) for p in PARAMETER_VALUES):
            self.shapes.add("condition on a starter parameter")

    def action(self, statement: Statement, context: _Context) -> list[str]:
        kind = statement.kind
        if kind == "enqueue":
            assert statement.job is not None
            return self.enqueue(statement.job, context)
        if kind == "restart" and self.restarts:
            # one restart per workflow: a flow run tells that it restarted, not from where
            kind = "other_workflow"
        if kind == "restart":
            self.restarts = True
            self.shapes.add("callback starts the workflow again")
            values = [self.literal(self.spec.values[name]) for name in self.signature if name != "attempt"]
            args = "(" + ", ".join([*values, "attempt: options['attempt'] + 1"]) + ")"
            receiver = f"{self.qualified(STARTER_CLASS)}{'.new' if self.spec.instance_starter else ''}"
            return [f"{receiver}.start{args}"]
        if kind == "other_workflow":
            self.shapes.add("callback starts another workflow")
            self.other_flow = True
            return [f"{self.qualified(OTHER_CLASS)}.start"]
        if kind == "new_batch":
            assert statement.batch is not None
            self.shapes.add("callback makes a new outermost batch")
            lines = self.batch(statement.batch, context)
            if not statement.class_method or any("status" in line or "options" in line for line in lines):
                return lines
            # the next step is a class method of another module, which reads nothing of
            # the callback (its status and options stay where they are)
            self.shapes.add("callback chains through a class method")
            name = f"step{len(self.next_steps) + 1}"
            self.next_steps.append([f"def self.{name}", *_indent_list(lines), "end"])
            return [f"{self.qualified(NEXT_STEPS)}.{name}"]
        return self.reopened(statement, context)

    def reopened(self, statement: Statement, context: _Context) -> list[str]:
        """A chain (a child batch in the reopened parent) or plain jobs added to the parent."""
        self.shapes.add(f"parent reopened through {statement.reopen.replace('_', ' ')}")
        if context.event == "death":
            self.shapes.add("death callback adds to the reopened parent")
        if statement.reopen == "parent_bid":
            head, parent_bid = ["Sidekiq::Batch.new(status.parent_bid).jobs do"], "status.parent_bid"
        elif statement.reopen == "local_bid":
            head, parent_bid = ["parent_bid = status.parent_bid", "Sidekiq::Batch.new(parent_bid).jobs do"], \
                "parent_bid"
        elif statement.reopen == "ivar":
            head, parent_bid = ["@parent = Sidekiq::Batch.new(status.parent_bid)", "@parent.jobs do"], \
                "@parent.bid"
        else:
            head, parent_bid = ["Sidekiq::Batch.new(options['bid']).jobs do"], "options['bid']"
        inner = dataclasses.replace(context, parent_bid=parent_bid)
        if statement.kind == "chain":
            assert statement.batch is not None
            self.shapes.add("step chained in the reopened parent")
            body = self.batch(statement.batch, inner)
        else:
            assert statement.job is not None
            self.shapes.add("plain jobs added to the reopened parent")
            body = self.enqueue(statement.job, inner)
        return [*head, *_indent_list(body), "end"]

    # jobs --------------------------------------------------------------------------------

    def new_worker(self, job: JobSpec) -> _Worker:
        number = len(self.workers) + 1
        worker = _Worker(f"Step{number}Job" if job.form == "perform_later" else f"Step{number}Worker",
                         job.form == "perform_later")
        self.workers.append(worker)
        worker.body = self.perform_body(job)
        return worker

    def perform_body(self, job: JobSpec) -> list[str]:
        context = _Context(in_starter=False)
        lines: list[str] = []
        for other in job.enqueues:
            self.shapes.add("perform enqueues jobs")
            lines += self.enqueue(other, context)
        if job.adds:
            accessor = "batch" if len(self.workers) % 2 else "Sidekiq::Batch.new(bid)"
            self.shapes.add(f"perform adds to its own batch through {accessor.split('(')[-1].rstrip(')')}")
            body = [line for other in job.adds for line in self.enqueue(other, context)]
            lines += [f"{accessor}.jobs do", *_indent_list(body), "end"]
        if job.again:
            # once: the job it enqueues has the argument
            self.shapes.add("job re-enqueues itself")
            lines.append("self.class.perform_in(30, 'again') unless args.include?('again')")
        return lines

    def enqueue(self, job: JobSpec, context: _Context) -> list[str]:
        worker = self.new_worker(job)
        name = self.ref(worker.name, len(self.workers))
        self.shapes.add(f"enqueued with {job.form}")
        if job.fan_out is None:
            lines = [self.push(job.form, name, "1" if job.form != "perform_bulk" else "")]
            if job.twice:
                self.shapes.add("two jobs of one worker in one block")
                lines.append(self.push(job.form, name, "2" if job.form != "perform_bulk" else ""))
            return lines
        self.shapes.add(f"fan-out with {job.fan_out}")
        loop = {
            "each": "[1, 2].each { |i| %s }",
            "each_with_index": "%%w[a b].each_with_index { |name, i| %s }",
            "map": "[1, 2].map { |i| %s }",
            "times": "2.times { |i| %s }",
            "range": "(1..2).each { |i| %s }",
            "items": "items.each { |i| %s }",
            "count": "count.times { |i| %s }",
        }[job.fan_out]
        if job.fan_out in ("items", "count"):
            self.fanned.add(job.fan_out)
        args = "name, i" if job.fan_out == "each_with_index" else "i"
        body = self.push(job.form, name, args)
        if job.skip is not None:
            self.shapes.add("a condition per item (`next if`) in a fan-out")
            body = f"{job.skip}; {body}"
        line = self.reads(loop % body)
        if job.twice:
            self.shapes.add("two jobs of one worker in one block")
            return [line, self.push(job.form, name, "3")]
        return [line]

    def push(self, form: str, name: str, args: str) -> str:
        rest = f", {args}" if args else ""
        call = {
            "perform_async": f"{name}.perform_async({args})",
            "perform_in": f"{name}.perform_in(5.minutes{rest})",
            "perform_at": f"{name}.perform_at(Time.now + 60{rest})",
            "perform_bulk": f"{name}.perform_bulk([[1], [2]])",
            "client_push": f"Sidekiq::Client.push('class' => {name}, 'args' => [{args}])",
            "set_queue": f"{name}.set(queue: :low).perform_async({args})",
            "perform_later": f"{name}.perform_later({args})",
        }[form]
        return call.replace("()", "")


def ruby_workflow(spec: WorkflowSpec) -> RubyWorkflow:
    # the first pass finds the parameters the starter reads, the second declares them
    first = RubyWriter(spec, [])
    first.write()
    signature = [name for name in PARAMETERS if name in first.used]
    values = {name: _argument(spec, name, first.fanned) for name in PARAMETERS}
    writer = RubyWriter(dataclasses.replace(spec, values=values), signature)
    files = writer.write()
    if signature:
        writer.shapes.add("condition or loop on starter parameters")
    owner = writer.qualified(STARTER_CLASS)
    other = [writer.qualified(w) for w in writer.other_workers()] if writer.other_flow else []
    return RubyWorkflow(
        files=files,
        workers=[writer.qualified(w.name) for w in writer.workers],
        starter=f"{owner}#start" if spec.instance_starter else f"{owner}.start",
        arguments={name: _json(values[name]) for name in signature},
        other_workers=other,
        shapes=frozenset(writer.shapes),
    )


def _argument(spec: WorkflowSpec, name: str, fanned: set[str]) -> object:
    """The value drawn for a parameter, but never an empty collection for a fan-out: it
    would run no job, which the graph cannot know (one node stands for all the jobs)."""
    value = spec.values.get(name, 0)
    if name in fanned and not value:
        return 1 if name == "count" else (7,)
    return value


def _pushes(line: str) -> int:
    """1 for a line that enqueues, as written (a loop counts once)."""
    return int(any(word in line for word in (".perform_", "Client.push(")))


def _json(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _snake(name: str | None) -> str:
    assert name is not None
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _indent_list(lines: list[str]) -> list[str]:
    return [f"  {line}" if line else "" for line in lines]


def _indent_lines(lines: list[str], level: int) -> str:
    pad = "  " * level
    return "".join(f"{pad}{line}\n" if line else "\n" for line in lines)


def _indent(text: str, level: int) -> str:
    return _indent_lines(text.rstrip("\n").split("\n"), level)
