"""Worker definitions: which classes are jobs, and their queue, retries and arguments."""

from __future__ import annotations

from batch2flow.graph import build_graph

WORKERS = """
class ApplicationJob < ActiveJob::Base
end

class BaseWorker
  include Sidekiq::Worker
  sidekiq_options queue: :low, retry: 2
end

module Billing
  class ChargeWorker
    include Sidekiq::Job
    sidekiq_options queue: :critical, retry: 5

    def perform(account_id, amount = 0, *rest, dry_run: false, **opts); end
  end
end

class MailJob < ApplicationJob
  queue_as :mailers
  retry_on Net::ReadTimeout, attempts: 3

  def perform(user); end
end

class ReportWorker < BaseWorker
  def perform; end
end

class NoRetryWorker < BaseWorker
  sidekiq_options retry: false
  def perform; end
end
"""

NOT_WORKERS = """
class Helper
  def perform(x); end
end

module Sidekiq::Jobish
end

class Service < ApplicationService
  include Comparable
end
"""


def _table(tmp_path, ruby):
    (tmp_path / "w.rb").write_text(ruby)
    return {w.name: w for w in build_graph([str(tmp_path)]).workers}


def test_worker_definitions_fixes(tmp_path):
    table = _table(tmp_path, WORKERS)
    charge = table["Billing::ChargeWorker"]
    assert (charge.kind, charge.queue, charge.retry) == ("sidekiq", "critical", 5)
    assert charge.perform_params == ("account_id", "amount", "rest", "dry_run", "opts")
    mail = table["MailJob"]
    assert (mail.kind, mail.queue, mail.retry, mail.perform_params) == (
        "active_job", "mailers", 3, ("user",))
    # settings are inherited from the base worker, and a subclass overrides them
    assert (table["ReportWorker"].queue, table["ReportWorker"].retry) == ("low", 2)
    assert (table["NoRetryWorker"].queue, table["NoRetryWorker"].retry) == ("low", False)
    assert table["ApplicationJob"].kind == "active_job"


def test_worker_definitions_noop(tmp_path):
    assert _table(tmp_path, NOT_WORKERS) == {}
