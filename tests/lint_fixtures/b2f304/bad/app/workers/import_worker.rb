# frozen_string_literal: true

class ImportCallback
  def initialize(import)
    @import = import
  end

  def on_success(_status, _options)
    @import.update!(state: 'done')
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
    batch.on(:success, ImportCallback, 'import_id' => import_id) # expect: B2F304
    batch.jobs do
      ImportRowWorker.perform_async(import_id, 1)
    end
  end
end
