# frozen_string_literal: true

module Batch2flow
  module Bridge
    # What a callback gets as `status`: a Sidekiq::Batch::Status stand-in made of what the
    # flow knows of the batch (POST /v1/calls `status`).
    class Status
      def initialize(data)
        @data = (data || {}).dup.freeze
      end

      def bid = @data["bid"]
      def parent_bid = @data["parent_bid"]
      def total = @data["total"].to_i
      def failures = @data["failures"].to_i
      def pending = @data["pending"].to_i
      def failed_jids = Array(@data["failed_jids"]).dup
      # every job ran at least once (a failed one stays pending, as Sidekiq counts it)
      def complete? = pending == failures
      def success? = pending.zero?
      # the flow calls a callback once its batch is done: nothing to wait for
      def join = self
      def data = @data.dup
    end
  end
end
