# frozen_string_literal: true

class ImportsController < ApplicationController
  def retry_rows
    import = Import.find(params[:id])
    batch = Sidekiq::Batch.new
    batch.description = "Retry of import #{import.id}"
    batch.jobs do
      ImportRowWorker.perform_bulk(import.failed_rows.map { |row| [row.id] })
    end
    redirect_to import
  end
end
