# frozen_string_literal: true

module Batch2flow
  module Bridge
    # What one job, starter or callback would have done to Sidekiq, in order: its plan.
    # Active on one thread while the bridge runs that code (see ServerMiddleware).
    class Recorder
      KEY = :batch2flow_bridge_recorder

      def self.current = Thread.current[KEY]

      attr_reader :plan

      # `key`: the idempotency key of the call (bids are made from it); `parents`: bid ->
      # parent bid of the batches the code may reopen (its own, a callback's status).
      def initialize(key, parents = {})
        @key = key
        @count = 0
        @open = [] # bids of the `jobs` blocks being run, innermost last
        @parents = parents.reject { |bid, _| bid.nil? }
        @plan = {"batches" => [], "callbacks" => [], "enqueues" => []}
      end

      def active
        previous = Thread.current[KEY]
        Thread.current[KEY] = self
        yield
      ensure
        Thread.current[KEY] = previous
      end

      # `Sidekiq::Batch.new(bid)`: a new batch (the child of the `jobs` block it is made
      # in), or, given a bid, the one reopened.
      def new_batch(bid, site)
        reopened = !bid.nil?
        bid, parent = reopened ? [bid.to_s, @parents[bid.to_s]] : [next_bid, @open.last]
        @parents[bid] = parent
        row = {"bid" => bid, "parent_bid" => parent, "reopened" => reopened,
               "description" => nil, "callback_queue" => nil, "site" => site}
        @plan["batches"] << row
        RecordedBatch.new(self, row)
      end

      def callback(bid, event, target, options, site)
        @plan["callbacks"] << {"bid" => bid, "event" => event, "target" => target,
                               "options" => options.nil? ? nil : round_trip(options), "site" => site}
      end

      # A push Sidekiq's client would have made: recorded instead.
      def enqueue(job, site)
        at = job["at"] && [(job["at"].to_f - Time.now.to_f).round(3), 0.0].max
        @plan["enqueues"] << {"class" => job["class"].to_s, "args" => round_trip(job["args"] || []),
                              "queue" => job["queue"], "at" => at, "bid" => @open.last, "site" => site}
      end

      def within(bid)
        @open.push(bid)
        yield
      ensure
        @open.pop
      end

      def round_trip(value)
        Sidekiq.load_json(Sidekiq.dump_json(value))
      end

      private

      def next_bid
        @count += 1
        "#{@key}-b#{@count}"
      end
    end
  end
end
