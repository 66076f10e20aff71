# frozen_string_literal: true

class PublishWorker
  include Sidekiq::Worker
  sidekiq_options queue: "flow_test"

  def perform(id)
    Effects.write("publish", id)
  end
end
