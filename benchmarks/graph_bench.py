"""Benchmark `batch2flow graph` and `convert` on a generated Rails tree; prints the figures.

    python benchmarks/graph_bench.py [--workflows 300] [--filler 2000]

Each generated workflow is a starter service, a callbacks class with two chained
steps and four workers; filler files are plain models, as most of a real app is.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from batch2flow.convert import convert
from batch2flow.graph import build_graph
from batch2flow.render.json_format import render_json

STARTER = """module Flows
  class Flow{n}
    def self.start(id)
      overall = Sidekiq::Batch.new
      overall.on(:success, 'Flows::Flow{n}Callbacks#finished', 'id' => id)
      overall.jobs do
        step = Sidekiq::Batch.new
        step.on(:success, 'Flows::Flow{n}Callbacks#step1_done', 'id' => id)
        step.jobs do
          Item.where(flow: {n}).find_each {{ |item| Flows::Fetch{n}Worker.perform_async(item.id) }}
          Flows::Prepare{n}Worker.perform_async(id)
        end
      end
    end
  end
end
"""
CALLBACKS = """module Flows
  class Flow{n}Callbacks
    def step1_done(status, options)
      return if status.failures > 0
      Sidekiq::Batch.new(status.parent_bid).jobs do
        step = Sidekiq::Batch.new
        step.jobs {{ Flows::Load{n}Worker.perform_async(options['id']) }}
      end
    end

    def finished(status, options)
      Flows::Notify{n}Worker.perform_async(options['id'])
    end
  end
end
"""
WORKER = """module Flows
  class {name}{n}Worker
    include Sidekiq::Job
    sidekiq_options queue: :default, retry: 3

    def perform(id)
      record = Record.find(id)
      record.update!(state: "{name}")
    end
  end
end
"""
FILLER = """class Model{n} < ApplicationRecord
  belongs_to :account
  has_many :items
  validates :name, presence: true

  def display_name
    "#{{name}} ({n})"
  end

  def self.recent
    where("created_at > ?", 1.day.ago).order(:id)
  end
end
"""


def generate(root: Path, workflows: int, filler: int) -> tuple[int, int]:
    files = 0
    size = 0
    for n in range(workflows):
        texts = {
            f"app/services/flows/flow{n}.rb": STARTER.format(n=n),
            f"app/callbacks/flows/flow{n}_callbacks.rb": CALLBACKS.format(n=n),
        }
        for name in ("Fetch", "Prepare", "Load", "Notify"):
            texts[f"app/workers/flows/{name.lower()}{n}_worker.rb"] = WORKER.format(name=name, n=n)
        for path, text in texts.items():
            files, size = files + 1, size + _write(root / path, text)
    for n in range(filler):
        files, size = files + 1, size + _write(root / f"app/models/model{n}.rb", FILLER.format(n=n))
    return files, size


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workflows", type=int, default=300)
    parser.add_argument("--filler", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files, size = generate(Path(tmp), args.workflows, args.filler)
        start = time.perf_counter()
        graph = build_graph([tmp])
        analysed = time.perf_counter()
        render_json(graph)
        rendered = time.perf_counter()
        conversion = convert([tmp])
        converted = time.perf_counter()
    jobs = sum(len(w.jobs) for w in graph.workflows)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"files            {files} ({size / 1e6:.1f} MB)")
    print(f"workflows        {len(graph.workflows)} ({jobs} jobs)")
    print(f"graph            {analysed - start:.2f} s  ({files / (analysed - start):.0f} files/s, "
          f"{size / 1e6 / (analysed - start):.2f} MB/s)")
    print(f"render json      {rendered - analysed:.2f} s")
    print(f"convert          {converted - rendered:.2f} s  ({len(conversion.files)} files, "
          f"every flow read back with libcst)")
    print(f"peak RSS         {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
