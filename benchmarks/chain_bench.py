"""Benchmark `batch2flow convert` and `graph` on one workflow of N chained steps; prints a table.

    python benchmarks/chain_bench.py [--steps 100 300 1000] [--tasks ruby]

The tree is the Sidekiq Pro "workflow" shape: a starter opens the overall batch with its
first step as a child batch; each step's :success callback reopens the overall batch
(`Sidekiq::Batch.new(status.parent_bid)`) and adds the next step, a child batch holding
one job, with the callback of the step after it. Each command runs in a process of its
own, so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STARTER = """module Chain
  class Pipeline
    def self.start(id)
      overall = Sidekiq::Batch.new
      overall.on(:success, 'Chain::Callbacks#finished', 'id' => id)
      overall.jobs do
        step = Sidekiq::Batch.new
        step.on(:success, 'Chain::Callbacks#step1_done', 'id' => id)
        step.jobs do
          Chain::Step0Worker.perform_async(id)
        end
      end
      overall.bid
    end
  end
end
"""
STEP = """
    def step{n}_done(status, options)
      overall = Sidekiq::Batch.new(status.parent_bid)
      overall.jobs do
        step = Sidekiq::Batch.new
{register}        step.jobs do
          {enqueue}
        end
      end
    end
"""
REGISTER = "        step.on(:success, 'Chain::Callbacks#step{next}_done', options)\n"
ONE_JOB = "Chain::Step{n}Worker.perform_async(options['id'])"
#: a step that enqueues a job per item: a batch that may end up empty
PER_ITEM = "Item.where(step: {n}).find_each {{ |item| Chain::Step{n}Worker.perform_async(item.id) }}"
FINISHED = """
    def finished(_status, options)
      Chain::FinishedWorker.perform_async(options['id'])
    end
"""
WORKER = """module Chain
  class {name}
    include Sidekiq::Job
    sidekiq_options queue: :chain

    def perform(id)
      Record.find(id).touch
    end
  end
end
"""


def chain_files(steps: int, per_item: bool = False) -> dict[str, str]:
    """The tree of a chain of `steps` steps, path -> Ruby: Step0Worker in the starter's step,
    then steps-1 callbacks, each but the last registering the next; with `per_item`, those
    enqueue a job per item."""
    methods = []
    for n in range(1, steps):
        register = REGISTER.format(next=n + 1) if n < steps - 1 else ""
        enqueue = (PER_ITEM if per_item else ONE_JOB).format(n=n)
        methods.append(STEP.format(n=n, register=register, enqueue=enqueue))
    files = {
        "app/services/chain/pipeline.rb": STARTER,
        "app/callbacks/chain/callbacks.rb": "module Chain\n  class Callbacks" + "".join(methods) + FINISHED
        + "  end\nend\n",
    }
    for name in [f"Step{n}Worker" for n in range(steps)] + ["FinishedWorker"]:
        files[f"app/workers/chain/{name.lower()}.rb"] = WORKER.format(name=name)
    return files


def generate(root: Path, steps: int, per_item: bool = False) -> None:
    for path, text in chain_files(steps, per_item).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")


def measure(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB and exit status of `python -m batch2flow ARGS`."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "batch2flow", *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait4 gives this child's own rusage, where RUSAGE_CHILDREN would keep the largest so far
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--tasks", choices=["ruby", "translated", "stub"], default="ruby")
    parser.add_argument("--per-item", action="store_true",
                        help="each step after the first enqueues a job per item (find_each)")
    args = parser.parse_args()
    print(f"{'steps':>6}  {'convert s':>9}  {'convert MiB':>11}  {'graph s':>7}  {'graph MiB':>9}  exit")
    for steps in args.steps:
        with tempfile.TemporaryDirectory() as tmp:
            tree, out = Path(tmp) / "app", Path(tmp) / "out"
            generate(tree, steps, args.per_item)
            converted = measure(["convert", str(tree), "-o", str(out), "--tasks", args.tasks])
            graphed = measure(["graph", str(tree), "--format", "json"])
        print(f"{steps:>6}  {converted[0]:>9.2f}  {converted[1]:>11.0f}  {graphed[0]:>7.2f}  "
              f"{graphed[1]:>9.0f}  {converted[2]}/{graphed[2]}")


if __name__ == "__main__":
    main()
