# frozen_string_literal: true

class ExportOrdersWorker
  include Sidekiq::Job

  def perform(account_id)
    Account.find(account_id).export_orders
  end
end

class ExportWorker
  include Sidekiq::Job

  def perform(account_id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      ExportOrdersWorker.perform_async(account_id)
    end
    bid = batch.bid
    Sidekiq::Batch.new(bid).jobs do # expect: B2F316
      ExportOrdersWorker.perform_async(account_id)
    end
  end
end
