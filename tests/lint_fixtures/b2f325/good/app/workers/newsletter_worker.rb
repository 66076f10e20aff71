# frozen_string_literal: true

class SendNewsletterWorker
  include Sidekiq::Job

  def perform(newsletter_id, subscriber_id)
    Newsletter.find(newsletter_id).deliver_to(subscriber_id)
  end
end

class ArchiveNewsletterWorker
  include Sidekiq::Job

  def perform(newsletter_id, _shard)
    Newsletter.find(newsletter_id).archive!
  end
end

class NewsletterWorker
  include Sidekiq::Job

  def perform(newsletter_id)
    ids = Subscriber.where(newsletter_id: newsletter_id).pluck(:id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      SendNewsletterWorker.perform_bulk(ids.map { |id| [newsletter_id, id] })
      3.times { |shard| SendNewsletterWorker.perform_async(newsletter_id, -shard) }
      # a different class each time: no perform_bulk pushes these together
      [SendNewsletterWorker, ArchiveNewsletterWorker].each { |worker| worker.perform_async(newsletter_id, 0) }
    end
  end
end
