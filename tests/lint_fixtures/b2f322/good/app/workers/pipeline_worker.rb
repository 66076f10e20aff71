# frozen_string_literal: true

class StepWorker
  include Sidekiq::Job

  def perform(run_id, step)
    Run.find(run_id).run_step(step)
  end
end

class PipelineSteps
  def alert(_status, options)
    Pager.alert("run #{options['run_id']} has a dead job")
  end

  def step1_done(status, options)
    overall = Sidekiq::Batch.new(status.parent_bid)
    overall.callback_queue = 'pipeline_callbacks'
    overall.jobs do
      StepWorker.perform_async(options['run_id'], 2)
    end
  end
end

class PipelineWorker
  include Sidekiq::Job

  def perform(run_id)
    overall = Sidekiq::Batch.new
    overall.callback_queue = 'pipeline_callbacks'
    overall.on(:death, 'PipelineSteps#alert', 'run_id' => run_id)
    overall.jobs do
      step1 = Sidekiq::Batch.new
      step1.callback_queue = 'pipeline_callbacks'
      step1.on(:success, 'PipelineSteps#step1_done', 'run_id' => run_id)
      step1.jobs do
        StepWorker.perform_async(run_id, 1)
      end
    end
  end
end
