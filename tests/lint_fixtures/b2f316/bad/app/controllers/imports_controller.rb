# frozen_string_literal: true

class ImportsController < ApplicationController
  def retry_rows
    import = Import.find(params[:id])
    batch = Sidekiq::Batch.new(import.bid) # expect: B2F316, B2F109
    batch.jobs do
      ImportRowWorker.perform_bulk(import.failed_rows.map { |row| [row.id] })
    end
    redirect_to import
  end
end
