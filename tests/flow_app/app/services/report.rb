# frozen_string_literal: true

class Report
  def self.start(id)
    Effects.write("start", id)
    batch = Sidekiq::Batch.new
    batch.description = "report #{id}"
    batch.on(:success, "ReportCallbacks#finished", "id" => id)
    batch.on(:complete, ReportCallbacks, "id" => id)
    batch.on(:death, "ReportCallbacks#died", "id" => id)
    batch.jobs do
      ExtractWorker.perform_async(id)
    end
  end
end
