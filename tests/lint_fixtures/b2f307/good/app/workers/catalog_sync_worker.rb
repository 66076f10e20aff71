# frozen_string_literal: true

class CatalogPageWorker
  include Sidekiq::Job

  def perform(page)
    Catalog.sync_page(page)
  end
end

class CatalogSyncWorker
  include Sidekiq::Job

  def perform(pages)
    step = Sidekiq::Batch.new
    step.description = "Catalog sync (#{pages} pages)"
    step.callback_queue = 'critical'
    step.jobs do
      CatalogPageWorker.perform_bulk(Array.new(pages) { |page| [page] })
    end
    logger.info("catalog sync #{step.bid}")
    batch_size = 10
    batch_size.times { |page| logger.debug("page #{page} queued") }
  end
end
