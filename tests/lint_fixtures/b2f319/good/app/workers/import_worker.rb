# frozen_string_literal: true

class ImportCallbacks
  def finished(status, options)
    import = Import.find(options['import_id'])
    status.failures.zero? ? import.finish! : import.fail!
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
    batch.on(:complete, 'ImportCallbacks#finished', 'import_id' => import_id)
    batch.jobs do
      ImportRowsWorker.perform_async(import_id)
    end
  end
end
