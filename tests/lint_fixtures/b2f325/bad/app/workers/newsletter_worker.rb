# frozen_string_literal: true

class SendNewsletterWorker
  include Sidekiq::Job

  def perform(newsletter_id, subscriber_id)
    Newsletter.find(newsletter_id).deliver_to(subscriber_id)
  end
end

class NewsletterWorker
  include Sidekiq::Job

  def perform(newsletter_id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      Subscriber.where(newsletter_id: newsletter_id).find_each do |subscriber|
        SendNewsletterWorker.perform_async(newsletter_id, subscriber.id) # expect: B2F325
      end
    end
  end
end
