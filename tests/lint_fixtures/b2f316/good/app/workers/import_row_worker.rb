# frozen_string_literal: true

class ImportRowWorker
  include Sidekiq::Job

  def perform(row_id)
    ImportRow.find(row_id).load!
  end
end
