# frozen_string_literal: true

class ReportCallback
  def on_success(_status, options)
    Report.find(options['report_id']).publish!
  end
end

class SalesReportWorker
  include Sidekiq::Job

  def perform(report_id)
    Report.find(report_id).build_sales
  end
end

class ReportWorker
  include Sidekiq::Job

  def perform(report_id)
    batch = Sidekiq::Batch.new
    batch.on(:success, ReportCallback, 'report_id' => report_id)
    batch.jobs do
      SalesReportWorker.perform_async(report_id)
    end
  end
end
