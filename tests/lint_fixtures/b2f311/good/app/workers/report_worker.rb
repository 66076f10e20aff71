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

class AuditWorker
  include Sidekiq::Job

  def perform(report_id)
    Audit.record('report started', report_id)
  end
end

class ReportWorker
  include Sidekiq::Job

  def perform(report_id)
    AuditWorker.perform_async(report_id)
    batch = Sidekiq::Batch.new
    batch.on(:success, ReportCallback, 'report_id' => report_id)
    batch.jobs do
      HeaderWorker.perform_async(report_id)
      SectionWorker.perform_async(report_id, 'summary')
      SectionWorker.perform_async(report_id, 'appendix')
    end
  end
end
