# frozen_string_literal: true

class ExportOrdersWorker
  include Sidekiq::Job

  def perform(account_id)
    Account.find(account_id).export_orders
    batch.jobs do
      ExportOrdersWorker.perform_async(account_id) if Account.find(account_id).more_orders?
    end
  end
end

class ExportWorker
  include Sidekiq::Job

  def perform(account_id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      ExportOrdersWorker.perform_async(account_id)
      ExportOrdersWorker.perform_async(account_id)
    end
  end
end
