# frozen_string_literal: true

# What the oracle records. Every `after` is a causal set: the ids of the jobs
# known to have FINISHED before the context (a job's perform, a callback run)
# could start, whatever order the FIFO scheduler happened to pick.
module Oracle
  # one `batch.on(event, target, options)`; options kept as the JSON Pro stores
  Registration = Struct.new(:event, :target, :options_json)

  JobRecord = Struct.new(:id, :jid, :worker, :queue, :bid, :after, :state, :error, keyword_init: true) do
    # what a finished job hands on: everything before it, and itself
    def contribution
      (after + [id]).uniq.sort
    end

    def finished?
      state != :pending
    end

    def to_json_hash
      { "id" => id, "worker" => worker, "queue" => queue, "batch" => bid, "state" => state.to_s,
        "error" => error, "after" => after.sort }
    end
  end

  CallbackRecord = Struct.new(:bid, :registration, :after, :error, :ran, keyword_init: true) do
    def event = registration.event

    # "Klass#method", or "Klass" for its on_<event>
    def class_and_method
      klass, meth = registration.target.delete_prefix("::").split("#", 2)
      [klass, meth || "on_#{event}"]
    end

    def to_json_hash
      { "batch" => bid, "event" => event, "target" => class_and_method.join("#"),
        "after" => after.sort, "error" => error, "ran" => ran }
    end
  end

  # phase: :open -> :complete (its :complete callbacks run) -> :success (only
  # when nothing in the subtree died) -> :done (the parent may go on)
  class BatchState
    attr_accessor :description, :callback_queue, :phase, :filled, :open_blocks, :death_fired,
                  :fire_causal, :subtree_failed, :outstanding, :block_causal
    attr_reader :bid, :parent_bid, :callbacks, :jobs, :children, :created_at

    def initialize(bid, parent_bid)
      @bid = bid
      @parent_bid = parent_bid
      @callbacks = []
      @jobs = []
      @children = []
      @phase = :open
      @filled = false
      @open_blocks = 0
      @death_fired = false
      @fire_causal = []
      # what every context its jobs blocks ran in waited for: a callback comes after those
      # blocks ended, even for a batch that holds no job
      @block_causal = []
      @subtree_failed = false
      @outstanding = 0
      @created_at = Time.now.to_f
    end

    def registrations(event)
      callbacks.select { |registration| registration.event == event }
    end

    def to_json_hash
      { "bid" => bid, "parent" => parent_bid, "description" => description }
    end
  end
end
