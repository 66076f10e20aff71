# frozen_string_literal: true

class ImportCallback
  def on_success(_status, options)
    import = Import.find(options['import_id'])
    import.finish!(options.fetch('rows'))
  end

  def notify(_status, opts)
    opts = opts.symbolize_keys
    AdminMailer.import_done(opts[:import_id]).deliver_later
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
