# frozen_string_literal: true

class ExtractWorker
  include Sidekiq::Job

  def perform(run_id)
    EtlRun.find(run_id).extract
  end
end

class LoadWorker
  include Sidekiq::Job

  def perform(run_id)
    EtlRun.find(run_id).load
  end
end

class EtlSteps
  def extracted(status, options)
    overall = Sidekiq::Batch.new(status.parent_bid)
    overall.jobs do
      load = Sidekiq::Batch.new
      load.jobs do
        LoadWorker.perform_async(options['run_id'])
      end
    end
  end
end

class EtlWorker
  include Sidekiq::Job

  def perform(run_id)
    overall = Sidekiq::Batch.new
    overall.jobs do
      extract = Sidekiq::Batch.new
      extract.on(:success, 'EtlSteps#extracted', 'run_id' => run_id) # expect: B2F318
      extract.jobs do
        ExtractWorker.perform_async(run_id)
      end
    end
  end
end
