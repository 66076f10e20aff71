# frozen_string_literal: true

module Batch2flow
  module Bridge
    # Sidekiq death handler: a bridge job whose retries are exhausted (or that may not be
    # retried) is dead.
    class DeathHandler
      def call(job, exception)
        marker = job["b2f"]
        return unless marker.is_a?(Hash)

        Store.new.update(job["jid"]) do |state|
          next nil if state["state"] == "cancelled"

          state.merge("state" => "dead", "retry_count" => job["retry_count"].to_i,
                      "error" => state["error"] || Backtraces.error(exception),
                      "ended_at" => state["ended_at"] || Settings.now)
        end
      end
    end
  end
end
