# frozen_string_literal: true

require "json"

# The public Sidekiq Pro Batch API (Pro itself is not available), backed by
# Oracle::Engine. Behaviour follows the Sidekiq wiki pages "Batches" and
# "Really Complex Workflows with Batches"; see engine.rb for when callbacks fire.
module Sidekiq
  class Batch
    class NoSuchBatch < StandardError; end

    # wiki "Batches", Callbacks: the three events; anything else is an error
    VALID_EVENTS = %w[complete success death].freeze

    attr_reader :bid

    # Batch.new creates a batch; Batch.new(bid) reopens one ("Batches": adding
    # jobs from within a job, and "Really Complex Workflows": a callback reopens
    # the parent with Sidekiq::Batch.new(status.parent_bid)). A batch created
    # while another batch's `jobs` block is open is that batch's child.
    def initialize(bid = nil)
      engine = Oracle.engine
      if bid.nil?
        @bid = engine.create_batch(Thread.current[:sidekiq_batch]&.bid)
      else
        raise NoSuchBatch, "no such batch: #{bid}" unless engine.batch?(bid.to_s)

        @bid = bid.to_s
      end
    end

    def parent_bid
      state.parent_bid
    end

    def parent
      parent_bid && Batch.new(parent_bid)
    end

    def description
      state.description
    end

    def description=(text)
      state.description = text&.to_s
    end

    def callback_queue
      state.callback_queue
    end

    def callback_queue=(queue)
      state.callback_queue = queue&.to_s
    end

    # Callback options are stored as JSON ("Batches": options must be simple
    # JSON types), so symbol keys come back as strings.
    def on(event, target, options = {})
      name = event.to_s
      raise ArgumentError, "Invalid event name: #{event}" unless VALID_EVENTS.include?(name)

      target_name = target.is_a?(Module) ? target.name : target.to_s
      state.callbacks << Oracle::Registration.new(name, target_name, JSON.generate(options))
      self
    end

    # "Batches": the jobs block is atomic; its jobs are pushed when it ends
    def jobs(&block)
      raise ArgumentError, "Batch#jobs needs a block" unless block

      Oracle.engine.fill(self, &block)
    end

    def status
      Status.new(bid)
    end

    def valid?(*)
      true
    end

    def invalidate_all; end

    private

    def state
      Oracle.engine.batch(bid)
    end

    # What a callback receives as `status` (Sidekiq::Batch::Status). The wiki
    # "Batches" (Status API) gives `total` as the jobs in the batch, `failures` as
    # its failed jobs, `pending` as its jobs not yet succeeded, and child batches
    # apart as `child_count`: a child's jobs count in the child's status, not here.
    class Status
      Failure = Struct.new(:jid, :error_class, :error_message, :backtrace)

      attr_reader :bid

      def initialize(bid)
        raise NoSuchBatch, "no such batch: #{bid}" unless Oracle.engine.batch?(bid.to_s)

        @bid = bid.to_s
        @state = Oracle.engine.batch(@bid)
      end

      def parent_bid = @state.parent_bid
      def description = @state.description
      def callback_queue = @state.callback_queue
      def total = @state.jobs.size
      def failures = died.size
      # a dead job never succeeded, so it stays pending
      def pending = total - @state.jobs.count { |job| job.state == :succeeded }
      def child_count = @state.children.size
      def complete? = @state.phase != :open
      def success? = complete? && !@state.subtree_failed
      def join = nil
      def created_at = @state.created_at
      def data = { "bid" => bid, "total" => total, "failures" => failures, "pending" => pending }

      def failure_info
        died.map { |job| Failure.new(job.jid, job.error.to_s.split(":").first, job.error, []) }
      end

      private

      def died = @state.jobs.select { |job| job.state == :died }
    end
  end

  # Sidekiq Pro adds `bid` and `batch` to every job ("Batches": a job can add
  # jobs to its own batch with `batch.jobs do ... end`); Sidekiq's testing mode
  # already sets `bid` from the payload when the job responds to `bid=`.
  module Worker
    attr_accessor :bid

    def batch
      @batch ||= (Sidekiq::Batch.new(bid) if bid)
    end

    def valid_within_batch?
      true
    end
  end
end
