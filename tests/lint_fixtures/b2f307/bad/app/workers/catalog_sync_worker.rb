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
    step = Sidekiq::Batch.new # expect: B2F308
    step.descripton = "Catalog sync (#{pages} pages)" # expect: B2F307
    step.jos do # expect: B2F307
      pages.times { |page| CatalogPageWorker.perform_async(page) }
    end
    batch.add_jobs { CatalogPageWorker.perform_async(0) } # expect: B2F307, B2F105
  end
end
