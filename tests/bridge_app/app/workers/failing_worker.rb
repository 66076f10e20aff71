# frozen_string_literal: true

class FailingWorker
  include Sidekiq::Worker
  sidekiq_options queue: "bridge_test", retry: false

  def perform(name)
    raise ArgumentError, "cannot #{name}"
  end
end
