# frozen_string_literal: true

class StepWorker
  include Sidekiq::Job

  def perform(run_id, step)
    Run.find(run_id).run_step(step)
  end
end

class PipelineSteps
  def step1_done(status, options)
    overall = Sidekiq::Batch.new(status.parent_bid) # expect: B2F107
    overall.jobs do
      StepWorker.perform_async(options['run_id'], 2)
    end
  end
end

class PipelineWorker
  include Sidekiq::Job

  def perform(run_id)
    overall = Sidekiq::Batch.new
    overall.on(:success, 'PipelineSteps#step1_done', 'run_id' => run_id) # expect: B2F318
    overall.jobs do
      StepWorker.perform_async(run_id, 1)
    end
  end
end
