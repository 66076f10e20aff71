# frozen_string_literal: true

module Batch2flow
  module Bridge
    # POST /v1/jobs and /v1/calls: push a job once per Idempotency-Key. The key is claimed
    # in one Lua script with the job's first state, before the push, so two requests with
    # one key never both push; a repeat is answered with the job it pushed, a dead job
    # asked for by a later run_attempt is pushed anew.
    class Enqueue
      def initialize(store = Store.new)
        @store = store
      end

      # `request`: what a repeat must hold (the body without run_attempt); `queue`: where
      # the job goes; the block pushes it under the jid it is given.
      def call(key, request, run_attempt, queue)
        Store::ATTEMPTS.times do
          current = @store.key_record(key)
          if current
            answer = repeat(JSON.parse(current), request, run_attempt)
            return answer if answer
          end
          jid = SecureRandom.hex(12)
          record = JSON.generate({"jid" => jid, "request" => request, "run_attempt" => run_attempt})
          next unless @store.claim(key, current, record, jid, first_state(jid, queue))

          push(key, current, record, jid) { yield jid }
          return [201, {"jid" => jid, "state" => "queued"}]
        end
        raise Refusal.new(503, "the Idempotency-Key is being claimed by other requests; repeat")
      end

      private

      def repeat(stored, request, run_attempt)
        unless stored["request"] == request
          raise Refusal.new(409, "the Idempotency-Key was used before with another class, args, queue or batch")
        end

        job = @store.job(stored["jid"])
        return nil if job.nil? || (job["state"] == "dead" && run_attempt > stored["run_attempt"].to_i)

        [200, {"jid" => stored["jid"], "state" => job["state"]}]
      end

      def push(key, previous, record, jid)
        pushed = yield
        raise Refusal.new(500, "a Sidekiq client middleware did not push the job") if pushed.nil?
      rescue Exception # rubocop:disable Lint/RescueException -- the claim must not outlive a failed push
        @store.release(key, record, previous, jid)
        raise
      end

      def first_state(jid, queue)
        {"jid" => jid, "state" => "queued", "retry_count" => 0, "error" => nil, "result" => nil,
         "plan" => nil, "started_at" => nil, "ended_at" => nil, "queue" => queue}
      end
    end
  end
end
