# frozen_string_literal: true

class BaseWorker
  include Sidekiq::Job
end

class ChargeWorker < BaseWorker
  def perform(invoice_id, amount_cents = nil, *notes)
    Invoice.find(invoice_id).charge!(amount_cents, notes)
  end
end

class ReceiptWorker < BaseWorker
  def perform(invoice_id)
    Invoice.find(invoice_id).send_receipt
  end
end

class ArchiveJob < ApplicationJob
  def perform(invoice_id, reason:)
    Invoice.find(invoice_id).archive!(reason)
  end
end

class BillingRunWorker < BaseWorker
  def perform(run_id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      BillingRun.find(run_id).invoices.each do |invoice|
        ChargeWorker.perform_async(invoice.id)
        ChargeWorker.perform_async(invoice.id, invoice.amount_cents, 'first', 'run')
        ReceiptWorker.perform_in(300, invoice.id)
        ArchiveJob.perform_later(invoice.id, reason: 'billed')
      end
    end
  end
end
