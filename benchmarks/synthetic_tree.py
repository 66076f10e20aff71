"""A synthetic Rails tree for the benchmarks, the same for the same seed and sizes.

Most of it is what most of an app is: models, controllers, services, concerns and specs of
realistic sizes that name each other (so the reader has definitions to follow). Spread
through it are the batch workflows: a starter per workflow (1 to 3 chained steps), their
callbacks, several workflows' callbacks to a file, a shared pool of workers, worker specs,
and controllers that start workflows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

NOUNS = ("Account", "Order", "Invoice", "Customer", "Product", "Shipment", "Payment", "Subscription",
         "Coupon", "Review", "Address", "Warehouse", "Supplier", "Refund", "Ticket", "Message", "Report",
         "Team", "Project", "Task", "Campaign", "Lead", "Contract", "Device", "Venue", "Booking",
         "Course", "Lesson", "Badge", "Survey")
PARTS = ("", "Item", "Note", "Line", "Event", "Snapshot", "Setting", "Tag", "Export", "Import",
         "Summary", "Version", "Rule", "Plan", "Quota", "Audit", "Link", "Log", "Share", "Slot")
KINDS = (("app/models", 0.34), ("app/controllers", 0.2), ("app/services", 0.16),
         ("app/models/concerns", 0.06), ("spec/models", 0.24))


@dataclass(frozen=True)
class Tree:
    files: int
    size: int
    workflows: int


def snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


class _Writer:
    def __init__(self, root: Path) -> None:
        self.root, self.files, self.size = root, 0, 0

    def write(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode()
        target.write_bytes(data)
        self.files, self.size = self.files + 1, self.size + len(data)


def generate(root: Path, seed: int = 1, files: int = 5000, megabytes: float = 30,
             workflows: int = 300) -> Tree:
    rng = random.Random(seed)
    out = _Writer(root)
    models = [f"{n}{p}" for n in NOUNS for p in PARTS]
    rng.shuffle(models)
    workers = [f"{rng.choice(NOUNS)}{verb}{i}Worker" for i, verb in
               enumerate(rng.choice(("Sync", "Import", "Export", "Notify", "Score", "Clean")) for _ in
                         range(max(4, workflows * 4 // 3)))]
    for name in workers:
        out.write(f"app/workers/{snake(name)}.rb", _worker(rng, name, models))
    for name in workers[: len(workers) // 2]:
        out.write(f"spec/workers/{snake(name)}_spec.rb", _worker_spec(name))
    _workflows(rng, out, workflows, workers)
    filler = max(0, files - out.files)
    mean = max(400.0, (megabytes * 1e6 - out.size) / max(filler, 1))
    for n in range(filler):
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        name = models[n % len(models)] + (str(n // len(models)) if n >= len(models) else "")
        target = int(min(mean * 8, max(300.0, rng.lognormvariate(0, 0.6) * mean / 1.2)))
        path, text = _filler(rng, kind, name, models, target, workflows)
        out.write(path, text)
    return Tree(out.files, out.size, workflows)


def _worker(rng: random.Random, name: str, models: list[str]) -> str:
    model = rng.choice(models)
    queue = rng.choice(("default", "critical", "low", "imports"))
    return f"""class {name}
  include Sidekiq::Job
  sidekiq_options queue: :{queue}, retry: {rng.randint(0, 10)}

  def perform(id, options = {{}})
    record = {model}.find_by(id: id)
    return if record.nil?

    record.with_lock do
      record.update!(state: "processed", processed_at: Time.current)
    end
    Rails.logger.info("{name} processed #{{id}} with #{{options.inspect}}")
  end
end
"""


def _worker_spec(name: str) -> str:
    return f"""require "rails_helper"

RSpec.describe {name} do
  it "enqueues" do
    expect {{ described_class.perform_async(1) }}.to change(described_class.jobs, :size).by(1)
  end
end
"""


def _workflows(rng: random.Random, out: _Writer, count: int, workers: list[str]) -> None:
    holders: dict[str, list[str]] = {}
    for n in range(count):
        # several workflows' callbacks share a file, as in apps that group them by domain
        holder = f"{NOUNS[n // 3 % len(NOUNS)]}Callbacks{n // 3}"
        steps = rng.randint(1, 3)
        used = rng.sample(workers, 2 + steps)
        out.write(f"app/services/workflows/flow{n}.rb", _starter(n, holder, used[:2], steps > 1))
        holders.setdefault(holder, []).append(_callbacks(n, holder, used[2:], steps))
        if n % 4 == 0:
            out.write(f"app/controllers/flow{n}_runs_controller.rb", f"""\
class Flow{n}RunsController < ApplicationController
  def create
    Workflows::Flow{n}.start(params[:id])
    redirect_to root_path, notice: "started"
  end
end
""")
    for holder, methods in holders.items():
        out.write(f"app/callbacks/{snake(holder)}.rb", f"class {holder}\n" + "\n".join(methods) + "end\n")


def _starter(n: int, holder: str, jobs: list[str], chained: bool) -> str:
    event = f"'{holder}#flow{n}_step2'" if chained else f"'{holder}#flow{n}_done'"
    return f"""module Workflows
  class Flow{n}
    def self.start(id)
      batch = Sidekiq::Batch.new
      batch.description = "Flow {n} for #{{id}}"
      batch.on(:success, {event}, 'id' => id)
      batch.jobs do
        Item.where(flow: {n}).find_each {{ |item| {jobs[0]}.perform_async(item.id) }}
        {jobs[1]}.perform_async(id)
      end
      batch.bid
    end
  end
end
"""


def _callbacks(n: int, holder: str, jobs: list[str], steps: int) -> str:
    methods = []
    for step in range(2, steps + 1):
        after = f"flow{n}_step{step + 1}" if step < steps else f"flow{n}_done"
        methods.append(f"""  def flow{n}_step{step}(status, options)
    return if status.failures > 0

    Sidekiq::Batch.new(status.parent_bid).jobs do
      step = Sidekiq::Batch.new
      step.on(:success, '{holder}#{after}', 'id' => options['id'])
      step.jobs {{ {jobs[step - 2]}.perform_async(options['id']) }}
    end
  end
""")
    methods.append(f"""  def flow{n}_done(status, options)
    {jobs[-1]}.perform_async(options['id'])
  end
""")
    return "\n".join(methods)


def _filler(rng: random.Random, kind: str, name: str, models: list[str], size: int,
            workflows: int) -> tuple[str, str]:
    """A file of `kind` of about `size` bytes: methods are added until it is that large."""
    others = [rng.choice(models) for _ in range(4)]
    if kind == "app/controllers":
        head = f"class {name}sController < ApplicationController\n  before_action :load_{snake(name)}\n"
        method = _action
        path = f"{kind}/{snake(name)}s_controller.rb"
    elif kind == "app/services":
        head = f"class {name}Service\n  def initialize(scope)\n    @scope = scope\n  end\n"
        method = _service
        path = f"{kind}/{snake(name)}_service.rb"
    elif kind == "app/models/concerns":
        head = (f"module {name}able\n  extend ActiveSupport::Concern\n\n"
                "  included do\n    scope :recent, -> { order(:id) }\n  end\n")
        method, path = _model_method, f"{kind}/{snake(name)}able.rb"
    elif kind == "spec/models":
        head, method = f'require "rails_helper"\n\nRSpec.describe {name} do\n', _example
        path = f"{kind}/{snake(name)}_spec.rb"
    else:
        head = (f"class {name} < ApplicationRecord\n  belongs_to :{snake(others[0])}\n"
                f"  has_many :{snake(others[1])}s\n  validates :name, presence: true\n")
        method, path = _model_method, f"{kind}/{snake(name)}.rb"
    parts = [head]
    total = len(head)
    while total < size:
        part = method(rng, len(parts), rng.choice(others))
        parts.append(part)
        total += len(part)
    return path, "\n".join(parts) + "end\n"


def _model_method(rng: random.Random, i: int, other: str) -> str:
    return f"""  def summary_{i}(limit = {rng.randint(5, 50)})
    return [] unless active?

    {other}.where({snake(other)}_id: id).order(created_at: :desc).limit(limit).map do |record|
      {{ id: record.id, label: record.name.to_s.titleize, total: record.amount.to_f.round(2) }}
    end
  end
"""


def _action(rng: random.Random, i: int, other: str) -> str:
    var = snake(other)
    return f"""  def action_{i}
    @{var} = {other}.find(params[:id])
    if @{var}.update(params.require(:{var}).permit(:name, :state, :position_{i}))
      redirect_to @{var}, notice: "{other} was updated."
    else
      render :edit, status: :unprocessable_entity
    end
  end
"""


def _service(rng: random.Random, i: int, other: str) -> str:
    return f"""  def step_{i}(rows)
    rows.each_slice({rng.randint(10, 500)}) do |slice|
      {other}.transaction do
        slice.each {{ |row| {other}.upsert(row.merge(updated_at: Time.current)) }}
      end
    end
    @scope.count
  end
"""


def _example(rng: random.Random, i: int, other: str) -> str:
    return f"""  describe "#summary_{i}" do
    it "lists {other} records" do
      record = create(:{snake(other)}, name: "name {i}")
      expect(record.reload.name).to eq("name {i}")
      expect({other}.count).to be >= {rng.randint(1, 3)}
    end
  end
"""
