# frozen_string_literal: true

module Batch2flow
  module Bridge
    # A batch as the recorder keeps it: what `Sidekiq::Batch` answers inside a recorded call.
    class RecordedBatch
      def initialize(recorder, row)
        @recorder = recorder
        @row = row
      end

      def bid = @row["bid"]
      def parent_bid = @row["parent_bid"]
      def description = @row["description"]
      def callback_queue = @row["callback_queue"]

      def description=(text)
        @row["description"] = text.nil? ? nil : text.to_s
      end

      def callback_queue=(queue)
        @row["callback_queue"] = queue.nil? ? nil : queue.to_s
      end

      def on(event, target, options = nil)
        event = event.to_s
        raise ArgumentError, "Invalid event name: #{event}" unless Settings::EVENTS.include?(event)

        site = Sites.site(caller_locations)
        @recorder.callback(bid, event, self.class.target_name(target, event), options, site)
        self
      end

      def jobs(&block)
        raise ArgumentError, "Sidekiq::Batch#jobs needs a block" unless block

        @recorder.within(bid, &block)
      end

      # `Klass`, `"Klass"` or `"Klass#method"` as the allowlist names it: `Klass#method`.
      def self.target_name(target, event)
        klass, _, method = target.to_s.delete_prefix("::").partition("#")
        "#{klass}##{method.empty? ? "on_#{event}" : method}"
      end
    end
  end
end
