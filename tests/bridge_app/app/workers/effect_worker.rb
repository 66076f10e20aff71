# frozen_string_literal: true

class EffectWorker
  include Sidekiq::Worker
  sidekiq_options queue: "bridge_test"

  def perform(name, detail = nil)
    Sidekiq.redis { |c| c.rpush("effects", Sidekiq.dump_json(["effect", name, detail])) }
  end
end
