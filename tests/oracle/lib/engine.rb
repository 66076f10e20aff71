# frozen_string_literal: true

require "set"

# The batch bookkeeping behind Sidekiq::Batch: which jobs and child batches a
# batch holds, and when its callbacks fire. The rules, from the Sidekiq wiki
# pages "Batches" and "Really Complex Workflows with Batches":
#
# - :complete fires once every job of the batch and of its descendant batches
#   ran (succeeded or died) and every child batch finished its own callbacks;
#   :success fires after :complete when nothing in that subtree died.
# - so a parent waits for its children's callbacks, and for the jobs those
#   callbacks add by reopening the parent (Sidekiq::Batch.new(status.parent_bid)),
#   but not for jobs a child's callback enqueues outside the parent.
# - :death fires once, the first time a job of the batch or of a descendant dies.
# - a batch whose jobs block pushed nothing and that has no children is done
#   when the block ends.
module Oracle
  class << self
    attr_accessor :engine
  end

  class InjectedFailure < StandardError; end

  class Engine
    include Scheduler

    STAND_INS = %w[truthy falsy].freeze

    def initialize(fail: [], max_jobs: 300, max_callbacks: 300, stand_ins: "truthy")
      raise ArgumentError, "stand_ins must be one of #{STAND_INS.join(', ')}: #{stand_ins.inspect}" unless
        STAND_INS.include?(stand_ins)

      @fail = fail.map { |name| name.delete_prefix("::") }.to_set
      @falsy = stand_ins == "falsy"
      @batches = {}
      @enqueue_context = {}
      init_scheduler(max_jobs, max_callbacks)
    end

    def fail?(worker) = @fail.include?(worker)
    def falsy_stand_ins? = @falsy
    def batch?(bid) = @batches.key?(bid)
    def batch(bid) = @batches.fetch(bid)

    def create_batch(parent_bid)
      bid = "b-#{@batches.size + 1}"
      @batches[bid] = BatchState.new(bid, parent_bid)
      bid
    end

    # Batch#jobs: jobs pushed in the block join the batch, atomically at its end
    def fill(batch_object)
      state = batch(batch_object.bid)
      buffer = collect_pushes(batch_object, state) { yield }
      state.block_causal = (state.block_causal + causal_now).uniq
      push_now(buffer)
      state.open_blocks -= 1
      adopt(state) unless state.filled
      state.filled = true
      check_ready(state)
      buffer.map { |payload| payload["jid"] }
    end

    # client middleware: the context a push is made in
    def note_enqueue(payload)
      @enqueue_context[payload["jid"]] = causal_now.dup
    end

    # raw_push: the jobs really pushed, in push order
    def record_pushed(payloads)
      payloads.each do |payload|
        job = JobRecord.new(id: @jobs.size + 1, jid: payload["jid"], queue: payload["queue"],
                            worker: (payload["wrapped"] || payload["class"]).to_s.delete_prefix("::"),
                            bid: payload["bid"], state: :pending,
                            after: @enqueue_context.delete(payload["jid"]) || causal_now.dup)
        @jobs << job
        @steps << [:job, job]
        batch(job.bid).jobs << job if job.bid && batch?(job.bid)
      end
    end

    def job_finished(job)
      return unless job.bid && batch?(job.bid)

      state = batch(job.bid)
      fire_death(state, job.contribution) if job.state == :died
      check_ready(state)
    end

    def callback_finished(record)
      return if record.event == "death"

      state = batch(record.bid)
      state.outstanding -= 1
      advance(state) if state.outstanding.zero?
    end

    def report
      { "batches" => @batches.values.map(&:to_json_hash) }.merge(scheduler_report)
    end

    private

    def collect_pushes(batch_object, state)
      outer = [Thread.current[:sidekiq_batch], Thread.current[:oracle_push_buffer]]
      buffer = []
      state.open_blocks += 1
      begin
        Thread.current[:sidekiq_batch] = batch_object
        Thread.current[:oracle_push_buffer] = buffer
        yield
      rescue Exception # the block failed: Pro pushes none of its jobs
        state.open_blocks -= 1
        raise
      ensure
        Thread.current[:sidekiq_batch], Thread.current[:oracle_push_buffer] = outer
      end
      buffer
    end

    def push_now(payloads)
      return if payloads.empty?

      outer = Thread.current[:oracle_push_buffer]
      begin
        Thread.current[:oracle_push_buffer] = nil
        Sidekiq::Client.new.send(:raw_push, payloads)
      ensure
        Thread.current[:oracle_push_buffer] = outer
      end
    end

    # a child joins its parent when its first jobs block has run
    def adopt(state)
      return unless state.parent_bid && batch?(state.parent_bid)

      siblings = batch(state.parent_bid).children
      siblings << state.bid unless siblings.include?(state.bid)
    end

    def fire_death(state, causal)
      while state
        unless state.death_fired
          state.death_fired = true
          state.registrations("death").each { |registration| schedule_callback(state, registration, causal) }
        end
        state = state.parent_bid && batch?(state.parent_bid) ? batch(state.parent_bid) : nil
      end
    end

    def check_ready(state)
      return unless ready?(state)

      kids = state.children.map { |bid| batch(bid) }
      state.fire_causal = (state.block_causal + state.jobs.flat_map(&:contribution) +
                           kids.flat_map(&:fire_causal)).uniq.sort
      state.subtree_failed = state.jobs.any? { |job| job.state == :died } || kids.any?(&:subtree_failed)
      enter_phase(state, :complete)
    end

    def ready?(state)
      state.phase == :open && state.filled && state.open_blocks.zero? &&
        state.jobs.all?(&:finished?) && state.children.all? { |bid| batch(bid).phase == :done }
    end

    def enter_phase(state, phase)
      state.phase = phase
      registrations = state.registrations(phase.to_s)
      return advance(state) if registrations.empty?

      state.outstanding = registrations.size
      registrations.each { |registration| schedule_callback(state, registration, state.fire_causal) }
    end

    def advance(state)
      if state.phase == :complete && !state.subtree_failed
        enter_phase(state, :success)
      else
        state.phase = :done
        check_ready(batch(state.parent_bid)) if state.parent_bid && batch?(state.parent_bid)
      end
    end
  end
end
