# frozen_string_literal: true

# Not part of any workflow: pushed through to Sidekiq even inside a recorded call.
class AuditJob
  include Sidekiq::Worker
  sidekiq_options queue: "bridge_test"

  def perform(what)
    Sidekiq.redis { |c| c.rpush("effects", Sidekiq.dump_json(["audit", what])) }
  end
end
