# frozen_string_literal: true

class ExportCallback
  def on_success(_status, options)
    Export.find(options['export_id']).finish!
  end
end

class ExportPartWorker
  include Sidekiq::Job

  def perform(export_id, part)
    Export.find(export_id).write_part(part)
  end
end

class ExportWorker
  include Sidekiq::Job

  def perform(export_id)
    batch = Sidekiq::Batch.new # expect: B2F308
    batch.description = "Export #{export_id}"
    batch.on(:success, ExportCallback, 'export_id' => export_id)
    ExportPartWorker.perform_async(export_id, 1)
    ExportPartWorker.perform_async(export_id, 2)
  end
end
