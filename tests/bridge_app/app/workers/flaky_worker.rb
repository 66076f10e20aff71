# frozen_string_literal: true

class FlakyWorker
  include Sidekiq::Worker
  sidekiq_options queue: "bridge_test", retry: 1
  sidekiq_retry_in { 1 }

  def perform(name)
    Sidekiq.redis { |c| c.rpush("effects", Sidekiq.dump_json(["flaky", name])) }
    raise IOError, "flaky #{name}"
  end
end
