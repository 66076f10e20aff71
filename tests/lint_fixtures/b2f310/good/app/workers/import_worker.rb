# frozen_string_literal: true

class ImportCallback
  def on_success(_status, options)
    Import.find(options['import_id']).finish!
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
    batch.on(:success, ImportCallback, 'import_id' => import_id)
    batch.jobs do
      ImportRowsWorker.perform_async(import_id)
    end
  end
end
