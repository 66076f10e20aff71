# frozen_string_literal: true

class FetchFeedWorker
  include Sidekiq::Job

  def perform(feed_id)
    Feed.find(feed_id).fetch
  end
end

class PollCallback
  def on_complete(_status, _options)
    PollWorker.perform_in(600) if Feed.due.exists?
  end
end

class PollWorker
  include Sidekiq::Job

  def perform
    batch = Sidekiq::Batch.new
    batch.on(:complete, PollCallback)
    batch.jobs do
      FetchFeedWorker.perform_bulk(Feed.due.map { |feed| [feed.id] })
    end
  end
end
