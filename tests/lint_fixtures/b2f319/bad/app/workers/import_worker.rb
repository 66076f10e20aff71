# frozen_string_literal: true

class ImportCallbacks
  def finished(_status, options)
    Import.find(options['import_id']).finish!
  end

  def died(_status, options)
    Import.find(options['import_id']).fail!
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
    batch.on(:success, 'ImportCallbacks#finished', 'import_id' => import_id)
    batch.on(:death, 'ImportCallbacks#died', 'import_id' => import_id) # expect: B2F319
    batch.jobs do
      ImportRowsWorker.perform_async(import_id)
    end
  end
end
