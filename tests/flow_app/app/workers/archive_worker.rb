# frozen_string_literal: true

class ArchiveWorker
  include Sidekiq::Worker
  sidekiq_options queue: "flow_test"

  def perform(id)
    Effects.write("archive_job", id)
  end
end
