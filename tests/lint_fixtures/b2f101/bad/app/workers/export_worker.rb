# frozen_string_literal: true

class ExportRowsWorker
  include Sidekiq::Job

  def perform(export_id)
    Export.find(export_id).write_rows
  end
end

class ExportWorker
  include Sidekiq::Job

  def perform(export_id)
    batch = Sidekiq::Batch.new
    batch.on(:sucess, 'ExportWorker#done', 'export_id' => export_id) # expect: B2F101
    batch.jobs do
      ExportRowsWorker.perform_async(export_id)
    end
  end

  def done(_status, options)
    Export.find(options['export_id']).finish!
  end
end
