"""Random Sidekiq Batch workflows, written as Ruby, for the property-based equivalence test.

A workflow is a tree of batches: each has jobs (some fanned out), child batches made in
its `jobs` block, and callbacks (success / complete / death). A callback may enqueue a
job (under a condition on `status.failures`, or not) and, on a child batch, may chain
the next step by reopening `status.parent_bid` and adding a new child batch to it.
Every job gets a worker of its own, so results compare worker by worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

EVENTS = ("success", "complete", "death")
CONDITIONS = ("", "if status.failures > 0", "if status.failures.zero?")


@dataclass
class CallbackSpec:
    event: str
    #: (condition, enqueues a job) pairs of what the callback does
    enqueue: str | None
    #: chains a step: reopens the parent and adds this batch to it
    chain: BatchSpec | None = None


@dataclass
class BatchSpec:
    jobs: list[bool] = field(default_factory=list)  # True: fanned out over two items
    children: list[BatchSpec] = field(default_factory=list)
    callbacks: list[CallbackSpec] = field(default_factory=list)


@st.composite
def batches(draw: st.DrawFn, depth: int = 0, is_child: bool = False) -> BatchSpec:
    spec = BatchSpec(jobs=draw(st.lists(st.booleans(), min_size=1, max_size=3)))
    if depth < 2:
        spec.children = draw(st.lists(batches(depth + 1, True), max_size=2 - depth))
    for event in draw(st.lists(st.sampled_from(EVENTS), max_size=2, unique=True)):
        enqueue = draw(st.sampled_from(CONDITIONS)) if draw(st.booleans()) else None
        chain = draw(batches(depth + 1, True)) if is_child and depth < 2 and draw(st.booleans()) else None
        spec.callbacks.append(CallbackSpec(event, enqueue, chain))
    return spec


class RubyWriter:
    """Writes a BatchSpec tree as an idiomatic Ruby workflow."""

    def __init__(self) -> None:
        self.workers: list[str] = []
        self.methods: list[str] = []
        self.batch_count = 0

    def source(self, root: BatchSpec) -> str:
        body = self._batch(root, "    ")
        lines = [f"class {w}\n  include Sidekiq::Job\n\n  def perform(*args); end\nend\n"
                 for w in self.workers]
        lines.append(f"class RandomFlow\n  def self.start\n{body}  end\nend\n")
        lines.append("class Steps\n" + "\n".join(self.methods) + "end\n")
        return "\n".join(lines)

    def _worker(self) -> str:
        name = f"Step{len(self.workers) + 1}Worker"
        self.workers.append(name)
        return name

    def _batch(self, spec: BatchSpec, pad: str) -> str:
        self.batch_count += 1
        var = f"b{self.batch_count}"
        out = f"{pad}{var} = Sidekiq::Batch.new\n"
        for callback in spec.callbacks:
            out += f"{pad}{var}.on(:{callback.event}, 'Steps#{self._callback(callback)}')\n"
        out += f"{pad}{var}.jobs do\n"
        for fanned in spec.jobs:
            worker = self._worker()
            if fanned:
                out += f"{pad}  [1, 2].each {{ |i| {worker}.perform_async(i) }}\n"
            else:
                out += f"{pad}  {worker}.perform_async\n"
        for child in spec.children:
            out += self._batch(child, pad + "  ")
        return out + f"{pad}end\n"

    def _callback(self, spec: CallbackSpec) -> str:
        name = f"step{len(self.methods) + 1}_{spec.event}"
        self.methods.append("")  # reserve the slot: nested callbacks are numbered after
        slot = len(self.methods) - 1
        body = ""
        if spec.enqueue is not None:
            body += f"    {self._worker()}.perform_async {spec.enqueue}".rstrip() + "\n"
        if spec.chain is not None:
            inner = self._batch(spec.chain, "      ")
            body += f"    Sidekiq::Batch.new(status.parent_bid).jobs do\n{inner}    end\n"
        self.methods[slot] = f"  def {name}(status, options)\n{body}  end\n"
        return name


def ruby_workflow(spec: BatchSpec) -> tuple[str, list[str]]:
    writer = RubyWriter()
    return writer.source(spec), writer.workers
