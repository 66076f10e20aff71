# frozen_string_literal: true

class ReportCallback
  def on_success(_status, options)
    Report.find(options['report_id']).publish!
  end
end

class ReportWorker
  include Sidekiq::Job

  def perform(report_id, kind)
    batch = Sidekiq::Batch.new
    batch.on(:success, "#{kind.camelize}Callback".constantize, 'report_id' => report_id) # expect: B2F103
    batch.jobs do
      "Reports::#{kind.camelize}Worker".constantize.perform_async(report_id) # expect: B2F103
    end
  end
end
