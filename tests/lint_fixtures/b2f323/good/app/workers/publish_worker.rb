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
    batch.on(:success, PublishWorker, 'site_id' => site_id)
    batch.jobs do
      RenderPageWorker.perform_bulk(Site.find(site_id).page_ids.map { |page| [site_id, page] })
    end
  end

  def on_success(_status, options)
    Site.find(options['site_id']).publish!
  end

  def with_retries(attempts)
    attempts.times do |attempt|
      return yield
    rescue Timeout::Error
      sleep(2**attempt)
    end
  end
end
