# frozen_string_literal: true

class RenderPageWorker
  include Sidekiq::Job

  def perform(site_id, page)
    Site.find(site_id).render(page)
  end
end

class PublishWorker
  include Sidekiq::Job

  def perform(site_id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      RenderPageWorker.perform_bulk(Site.find(site_id).page_ids.map { |page| [site_id, page] })
    end
    status = Sidekiq::Batch::Status.new(batch.bid)
    sleep 5 until status.complete? # expect: B2F323
    Site.find(site_id).publish!
  end
end
