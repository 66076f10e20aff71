# frozen_string_literal: true

class ImportCallback
  def initialize(notifier = Notifier.new)
    @notifier = notifier
  end

  def on_success(_status, options)
    Import.find(options['import_id']).update!(state: 'done')
    @notifier.ping
  end
end

class ImportRowWorker
  include Sidekiq::Job

  def perform(import_id, row)
    ImportRow.create!(import_id: import_id, data: row)
  end
end

class ImportWorker
  include Sidekiq::Job

  def perform(import_id)
    batch = Sidekiq::Batch.new
    batch.on(:success, ImportCallback, 'import_id' => import_id)
    batch.jobs do
      ImportRowWorker.perform_async(import_id, 1)
    end
  end
end
