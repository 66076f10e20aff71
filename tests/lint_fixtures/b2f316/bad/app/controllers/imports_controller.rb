# frozen_string_literal: true

class ImportsController < ApplicationController
  def retry_rows
    import = Import.find(params[:id])
    batch = Sidekiq::Batch.new(import.bid) # expect: B2F316
    batch.jobs do
      import.failed_rows.each { |row| ImportRowWorker.perform_async(row.id) }
    end
    redirect_to import
  end
end
