# frozen_string_literal: true

class ReportCallbacks
  def extracted(status, options)
    Effects.write("extracted", status.total, status.failures)
    Sidekiq::Batch.new(status.parent_bid).jobs do
      PublishWorker.perform_async(options["id"])
    end
  end

  def finished(_status, options)
    Effects.write("finished", options["id"])
    Archive.start(options["id"], reason: "report")
  end

  def died(status, options)
    Effects.write("died", options["id"], status.failed_jids.size)
  end

  def on_complete(status, _options)
    Effects.write("complete", status.failures)
  end
end
