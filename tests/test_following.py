"""Following code across methods, files and namespaces: performs, callbacks, starters."""

from __future__ import annotations

from conftest import only_workflow, workflow_named
from reachability import are_independent, is_after
from ruby_snippets import starter, workers

ADDER = """
class Adder
  include Sidekiq::Job

  def perform(id)
    batch.jobs do
      B.perform_async(id)
      child = Sidekiq::Batch.new
      child.jobs { C.perform_async(id) }
    end
  end
end
"""


def test_jobs_in_perform_fixes(ruby_tree):
    body = "b = Sidekiq::Batch.new\nb.on(:success, 'Cb#done')\nb.jobs { Adder.perform_async(1) }"
    callbacks = "class Cb\n  def done(status, options)\n    D.perform_async\n  end\nend\n" + ADDER
    workflow = only_workflow(ruby_tree(starter(body, callbacks)))
    assert {j.worker: j.batch for j in workflow.jobs}["B"] == "b1"
    assert workflow.batches[1].parent == "b1"
    for added in ("B", "C", "Adder"):
        assert is_after(workflow, added, "D")
    # jobs a job adds may start while it still runs
    assert are_independent(workflow, "Adder", "B")
    assert are_independent(workflow, "Adder", "C")


def test_jobs_in_perform_noop(ruby_tree):
    """Enqueued outside every batch, a job's `batch` is nil: the tool says so."""
    body = "b = Sidekiq::Batch.new\nb.jobs { A.perform_async }\nAdder.perform_async(1)"
    graph = ruby_tree(starter(body, ADDER))
    assert "B2F105" in [d.code for d in graph.diagnostics]


NAMESPACED = {
    "app/workers/billing/charge_worker.rb": """
module Billing
  class ChargeWorker
    include Sidekiq::Job
    def perform(id); end
  end
end
""",
    "app/callbacks/billing/invoices/callback.rb": """
class Billing::Invoices::Callback
  def on_success(status, options)
    ::Billing::ReceiptWorker.perform_async
  end
end
""",
    "app/workers/billing/receipt_worker.rb": """
module Billing
  class ReceiptWorker
    include Sidekiq::Worker
    def perform; end
  end
end
""",
    "app/services/billing/run.rb": """
module Billing
  module Invoices
    class Run
      def self.start(ids)
        b = Sidekiq::Batch.new
        b.on(:success, Callback)
        b.jobs { ids.each { |id| ChargeWorker.perform_async(id) } }
      end
    end
  end
end
""",
}


def test_namespaces_resolve_like_ruby(ruby_tree):
    files = {**NAMESPACED, "app/services/billing/callback.rb": "module Billing\n  class Callback; end\nend\n"}
    workflow = only_workflow(ruby_tree(files))
    assert workflow.name == "billing_invoices_run"
    assert workflow.starter == "Billing::Invoices::Run.start"
    assert workflow.params == ("ids",)
    # `Callback` inside Billing::Invoices means Billing::Invoices::Callback, not Billing::Callback
    assert [c.target for c in workflow.callbacks] == ["Billing::Invoices::Callback#on_success"]
    assert is_after(workflow, "Billing::ChargeWorker", "Billing::ReceiptWorker")


def test_unknown_worker_warns(ruby_tree):
    graph = ruby_tree(starter("b = Sidekiq::Batch.new\nb.jobs { Missing::Worker.perform_async }"))
    assert [(d.code, d.line) for d in graph.diagnostics] == [("B2F104", 4)]


STARTERS = {
    "app/workers/nightly_report_worker.rb": """
class NightlyReportWorker
  include Sidekiq::Job
  def perform
    b = Sidekiq::Batch.new
    b.jobs { A.perform_async }
  end
end
""",
    "app/models/order.rb": """
class Order < ApplicationRecord
  def fulfil
    Sidekiq::Batch.new.jobs { B.perform_async(id) }
  end
end
""",
    "app/controllers/imports_controller.rb": """
class ImportsController < ApplicationController
  def create
    batch = Sidekiq::Batch.new
    batch.jobs { C.perform_async(params[:id]) }
    redirect_to imports_path
  end
end
""",
    "app/workers.rb": workers("A", "B", "C", "D"),
}


def test_starters_fixes(ruby_tree):
    graph = ruby_tree(STARTERS)
    assert [(w.name, w.starter) for w in graph.workflows] == [
        ("imports_controller_create", "ImportsController#create"),
        ("order_fulfil", "Order#fulfil"),
        ("nightly_report", "NightlyReportWorker#perform"),
    ]


def test_starters_noop(ruby_tree):
    """Reopening a batch or creating one inside a callback starts no workflow."""
    files = {
        "app/x.rb": """
class Reopen
  def add_more(bid)
    Sidekiq::Batch.new(bid).jobs { A.perform_async }
  end
end

class Cb
  def on_success(status, options)
    Sidekiq::Batch.new.jobs { A.perform_async }
  end
end

class User
  def register
    SignupMailer.welcome(self).deliver_later
  end
end
""",
        "app/workers.rb": workers("A"),
    }
    # Cb is named as a callback somewhere, so its batch belongs to that workflow
    files["app/y.rb"] = "class Z\n  def run\n    b = Sidekiq::Batch.new\n    b.on(:success, Cb)\n  end\nend\n"
    graph = ruby_tree(files)
    assert [w.name for w in graph.workflows] == ["z"]


def test_starting_another_workflow(ruby_tree):
    files = {
        **STARTERS,
        "app/services/flow.rb": """
class Flow
  def call
    b = Sidekiq::Batch.new
    b.on(:success, 'Flow#done')
    b.jobs { D.perform_async }
  end

  def done(status, options)
    Exporter.start(1)
    NightlyReportWorker.perform_async
  end
end

class Exporter
  def self.start(id)
    Sidekiq::Batch.new.jobs { A.perform_async(id) }
  end
end
""",
    }
    graph = ruby_tree(files)
    flow = workflow_named(graph, "flow")
    assert [j.worker for j in flow.jobs] == ["D", "NightlyReportWorker"]
    assert [(s.workflow, s.spawned_by) for s in flow.starts] == [
        ("exporter", flow.callbacks[0].id), ("nightly_report", "j2")]
    # the job's perform builds its own batch: that is the nightly_report workflow
    assert workflow_named(graph, "nightly_report").jobs[0].worker == "A"
    done = flow.callbacks[0].id
    assert {(e.source, e.target) for e in flow.edges} >= {(done, "s1"), (done, "j2")}


def test_restart_is_a_loop(ruby_tree):
    files = starter("b = Sidekiq::Batch.new\nb.on(:complete, 'Flow#again')\nb.jobs { A.perform_async }")
    files["app/services/again.rb"] = ("class Flow\n  def again(status, options)\n"
                                      "    Flow.new.call if status.failures > 0\n  end\nend\n")
    graph = ruby_tree(files)
    workflow = only_workflow(graph)
    [start] = workflow.starts
    assert (start.workflow, start.restart, start.condition) == ("flow", True, "status.failures > 0")
    assert [(d.code, d.file, d.line) for d in graph.diagnostics] == [
        ("B2F106", "app/services/again.rb", 3)]


def test_pagination_callback_loops_back(ruby_tree):
    body = "b = Sidekiq::Batch.new\nb.on(:success, 'Pages#next_page')\nb.jobs { A.perform_async(1) }"
    callbacks = """
class Pages
  def next_page(status, options)
    return unless more?
    Sidekiq::Batch.new(status.parent_bid).jobs do
      page = Sidekiq::Batch.new
      page.on(:success, 'Pages#next_page')
      page.jobs { A.perform_async(2) }
    end
  end
end
"""
    workflow = only_workflow(ruby_tree(starter(body, callbacks)))
    first, again = workflow.callbacks
    assert again.repeats == first.id
    assert any(e.loop and (e.source, e.target) == (again.id, first.id) for e in workflow.edges)
    assert len(workflow.jobs) == 2  # read once, never followed forever


def test_self_enqueueing_job_becomes_fan_out(ruby_tree):
    files = starter("b = Sidekiq::Batch.new\nb.jobs { Crawl.perform_async(1) }")
    files["app/workers/crawl.rb"] = ("class Crawl\n  include Sidekiq::Job\n  def perform(page)\n"
                                     "    batch.jobs { Crawl.perform_async(page + 1) } if more?\n"
                                     "  end\nend\n")
    [job] = only_workflow(ruby_tree(files)).jobs
    assert job.worker == "Crawl" and job.fan_out


def test_helper_methods_are_followed(ruby_tree):
    files = starter("b = Sidekiq::Batch.new\nb.jobs { enqueue_all }")
    files["app/services/flow_helpers.rb"] = ("class Flow\n  private\n\n  def enqueue_all\n"
                                             "    A.perform_async\n    B.perform_async\n  end\nend\n")
    workflow = only_workflow(ruby_tree(files))
    assert [(j.worker, j.batch) for j in workflow.jobs] == [("A", "b1"), ("B", "b1")]
