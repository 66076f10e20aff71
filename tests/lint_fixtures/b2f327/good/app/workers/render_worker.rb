# frozen_string_literal: true

class PrepareWorker
  include Sidekiq::Job

  def perform(document_id)
    Document.find(document_id).prepare!
  end
end

class RenderWorker
  include Sidekiq::Job

  def perform(document_id)
    PrepareWorker.perform_inline(document_id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      PrepareWorker.perform_async(document_id)
    end
  end
end
