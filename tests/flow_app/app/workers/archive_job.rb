# frozen_string_literal: true

# An ActiveJob job: the bridge pushes it as Rails' Sidekiq adapter does, and records it as
# the adapter pushed it, its arguments in ActiveJob's form (the symbol-keyed hash stays one).
class ArchiveJob < ActiveJob::Base
  queue_as :flow_test

  def perform(id, options)
    Effects.write("archive_job", id, options.keys.map(&:inspect), options[:kind].inspect)
  end
end
