# frozen_string_literal: true

module Batch2flow
  module Bridge
    # Redis commands through Sidekiq's own pool, spelt as `call` so that one form works with
    # Sidekiq 6 (a redis-rb 4 connection) and Sidekiq 7 (a redis-client connection).
    module RedisCalls
      module_function

      def call(*command)
        Sidekiq.redis { |conn| conn.call(*command.map(&:to_s)) }
      end

      def eval(script, keys, args)
        call("EVAL", script, keys.size, *keys, *args)
      end
    end
  end
end
