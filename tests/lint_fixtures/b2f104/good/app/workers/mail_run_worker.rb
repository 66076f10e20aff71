# frozen_string_literal: true

class InvoiceMailWorker
  include Sidekiq::Job

  def perform(invoice_id)
    InvoiceMailer.with(invoice_id: invoice_id).deliver_now
  end
end

class MailRunWorker
  include Sidekiq::Job

  def perform(run_id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      InvoiceMailWorker.perform_async(run_id)
    end
  end
end
