# frozen_string_literal: true

class ExtractWorker
  include Sidekiq::Job

  def perform(source_id)
    Source.find(source_id).extract
  end
end

class LoadWorker
  include Sidekiq::Job

  def perform(source_id)
    batch.jobs do # expect: B2F105
      ExtractWorker.perform_async(source_id)
    end
  end
end

class EtlWorker
  include Sidekiq::Job

  def perform(source_id)
    etl = Sidekiq::Batch.new
    etl.jobs do
      ExtractWorker.perform_async(source_id)
    end
    LoadWorker.perform_async(source_id)
  end
end
