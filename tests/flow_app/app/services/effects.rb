# frozen_string_literal: true

# Every side effect of the test app lands in one Redis list, in the order it happened.
module Effects
  module_function

  def write(*what)
    Sidekiq.redis { |c| c.rpush("effects", Sidekiq.dump_json(what)) }
  end

  # A test makes a worker raise by setting `fail:<Worker>` in Redis.
  def failing?(worker)
    Sidekiq.redis { |c| c.get("fail:#{worker}") } == "1"
  end
end
