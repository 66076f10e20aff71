# frozen_string_literal: true

class ImportCallback
  def on_success(_status, options)
    import = Import.find(options[:import_id]) # expect: B2F314
    import.finish!(options.fetch(:rows)) # expect: B2F314
  end

  def notify(_status, opts)
    AdminMailer.import_done(opts[:import_id]).deliver_later # expect: B2F314
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
    batch.on(:success, ImportCallback, import_id: import_id, rows: 10)
    batch.on(:complete, 'ImportCallback#notify', import_id: import_id)
    batch.jobs do
      ImportRowsWorker.perform_async(import_id)
    end
  end
end
