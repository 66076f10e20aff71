# frozen_string_literal: true

class ExtractWorker
  include Sidekiq::Worker
  sidekiq_options queue: "flow_test"

  def perform(id)
    Effects.write("extract", id)
    batch.jobs do
      step = Sidekiq::Batch.new
      step.on(:success, "ReportCallbacks#extracted", "id" => id)
      step.jobs do
        [1, 2].each { |part| PartWorker.perform_async(id, part) }
      end
    end
  end
end
