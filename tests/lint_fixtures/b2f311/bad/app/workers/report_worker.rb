# frozen_string_literal: true

class ReportCallback
  def on_success(_status, options)
    Report.find(options['report_id']).publish!
  end
end

class HeaderWorker
  include Sidekiq::Job

  def perform(report_id)
    Report.find(report_id).write_header
  end
end

class SectionWorker
  include Sidekiq::Job

  def perform(report_id, section)
    Report.find(report_id).write_section(section)
  end
end

class ReportWorker
  include Sidekiq::Job

  def perform(report_id)
    batch = Sidekiq::Batch.new
    batch.on(:success, ReportCallback, 'report_id' => report_id)
    HeaderWorker.perform_async(report_id) # expect: B2F311
    batch.jobs do
      SectionWorker.perform_async(report_id, 'summary')
    end
    SectionWorker.perform_async(report_id, 'appendix') # expect: B2F311
  end
end
