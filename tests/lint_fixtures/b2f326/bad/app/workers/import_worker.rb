# frozen_string_literal: true

class ImportCallback
  def on_complete(status, options)
    status.failure_info.each do |info| # expect: B2F326
      Rails.logger.warn("import #{options['import_id']}: #{info.error_message}")
    end
  end
end

class ImportRowsWorker
  include Sidekiq::Job

  def perform(import_id)
    Import.find(import_id).load_rows
  end
end

class ImportWorker
  include Sidekiq::Job

  def perform(import_id)
    batch = Sidekiq::Batch.new
    batch.on(:complete, ImportCallback, 'import_id' => import_id)
    batch.jobs do
      ImportRowsWorker.perform_async(import_id)
    end
  end
end
