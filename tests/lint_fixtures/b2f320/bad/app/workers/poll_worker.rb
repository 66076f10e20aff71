# frozen_string_literal: true

class FetchFeedWorker
  include Sidekiq::Job

  def perform(feed_id)
    Feed.find(feed_id).fetch
  end
end

class PollCallback
  def on_complete(_status, _options)
    PollWorker.perform_in(600) # expect: B2F320, B2F106
  end
end

class PollWorker
  include Sidekiq::Job

  def perform
    batch = Sidekiq::Batch.new
    batch.on(:complete, PollCallback)
    batch.jobs do
      Feed.due.each { |feed| FetchFeedWorker.perform_async(feed.id) } # expect: B2F325
    end
  end
end
