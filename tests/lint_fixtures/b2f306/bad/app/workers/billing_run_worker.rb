# frozen_string_literal: true

class ChargeWorker
  include Sidekiq::Job

  def perform(invoice_id, amount_cents)
    Invoice.find(invoice_id).charge!(amount_cents)
  end
end

class ReceiptWorker # expect: B2F306
  include Sidekiq::Job

  def preform(invoice_id)
    Invoice.find(invoice_id).send_receipt
  end
end

class LedgerWorker
  include Sidekiq::Job

  def perform(invoice_id, amount_cents:)
    Ledger.record(invoice_id, amount_cents)
  end
end

class BillingRunWorker
  include Sidekiq::Job

  def perform(run_id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      BillingRun.find(run_id).invoices.each do |invoice|
        ChargeWorker.perform_async(invoice.id) # expect: B2F306
        ReceiptWorker.perform_async(invoice.id)
        LedgerWorker.perform_async(invoice.id, invoice.amount_cents) # expect: B2F306
      end
    end
  end
end
