# frozen_string_literal: true

class PartWorker
  include Sidekiq::Worker
  sidekiq_options queue: "flow_test", retry: false

  def perform(id, part)
    raise IOError, "part #{part} of #{id} failed" if Effects.failing?("PartWorker")

    Effects.write("part", part)
  end
end
