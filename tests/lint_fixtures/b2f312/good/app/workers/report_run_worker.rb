# frozen_string_literal: true

class ReportWorker
  include Sidekiq::Job

  def perform(report_id, format, options = {})
    Report.find(report_id).render(format, options)
  end
end

class ReportJob < ApplicationJob
  def perform(report_id, format:)
    Report.find(report_id).render(format, {})
  end
end

class ReportRunWorker
  include Sidekiq::Job

  def perform(run_id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      ReportRun.find(run_id).reports.each do |report|
        ReportWorker.perform_async(report.id, 'pdf')
        ReportWorker.perform_async(report.id, 'pdf', { 'since' => 1.day.ago.to_i })
        ReportWorker.perform_async(report.id, 'csv', 'from' => Time.now.iso8601)
        ReportWorker.perform_in(1.minute, report.id, 'csv', 'pages' => [1, 2, 3])
        ReportJob.perform_later(report.id, format: :pdf)
      end
      ReportWorker.perform_bulk([[1, 'pdf'], [2, 'csv']], batch_size: 500)
    end
  end
end
