# frozen_string_literal: true

class ReportWorker
  include Sidekiq::Job

  def perform(report_id, format, options = {})
    Report.find(report_id).render(format, options)
  end
end

class ReportRunWorker
  include Sidekiq::Job

  def perform(run_id)
    batch = Sidekiq::Batch.new
    batch.jobs do
      ReportRun.find(run_id).reports.each do |report|
        ReportWorker.perform_async(report.id, :pdf) # expect: B2F312
        ReportWorker.perform_async(report.id, 'pdf', { since: 1.day.ago.to_i }) # expect: B2F312
        ReportWorker.perform_async(report.id, 'csv', 'from' => Time.now) # expect: B2F312
        ReportWorker.perform_in(60, report.id, 'csv', 'pages' => (1..3)) # expect: B2F312
        ReportWorker.perform_async(report.id, 'csv', limit: 10) # expect: B2F312
      end
    end
  end
end
