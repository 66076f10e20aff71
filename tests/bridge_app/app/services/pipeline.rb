# frozen_string_literal: true

class Pipeline
  def self.start(id)
    batch = Sidekiq::Batch.new
    batch.description = "pipeline #{id}"
    batch.callback_queue = "callbacks"
    batch.on(:success, "PipelineCallbacks#done", "id" => id)
    batch.on(:death, PipelineCallbacks)
    batch.jobs do
      FanOutWorker.perform_async(id)
      FailingWorker.perform_async("x")
      FlakyWorker.perform_async("y")
    end
    audit = Object.const_get(ENV.fetch("AUDIT_CLASS", "AuditJob"))
    audit.perform_async("started #{id}")
  end
end
