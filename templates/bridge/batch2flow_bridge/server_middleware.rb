# frozen_string_literal: true

module Batch2flow
  module Bridge
    # Sidekiq server middleware for the jobs the bridge pushed (their hash carries "b2f"):
    # keeps their state (running, succeeded with the plan, retrying or dead with the
    # error), skips one cancelled before it started, and records what a workflow worker's
    # perform (or a CallJob's method) builds and enqueues.
    class ServerMiddleware
      def call(job_instance, job_hash, _queue, &block)
        marker = job_hash["b2f"]
        return yield unless marker.is_a?(Hash)

        jid = job_hash["jid"]
        store = Store.new
        return nil if start(store, jid, Retries.started(job_hash)) == "cancelled"
        return rehearsed_death(store, jid) if Settings.failing.include?(ActiveJobs.name_of(job_hash))

        parents = {marker["bid"] => marker["parent_bid"], marker["status_bid"] => marker["status_parent_bid"]}
        recorder = Recorder.new(marker["key"].to_s, parents)
        helpers(job_instance, marker["bid"]) if marker["bid"]
        run(store, job_instance, job_hash, recorder, &block)
      end

      private

      def start(store, jid, retries)
        found = store.update(jid) do |state|
          next nil if state["state"] == "cancelled"

          state.merge("state" => "running", "retry_count" => retries, "started_at" => Settings.now,
                      "ended_at" => nil)
        end
        found && found["state"]
      end

      def run(store, job_instance, job_hash, recorder)
        jid = job_hash["jid"]
        result = begin
          recording?(job_hash) ? recorder.active { yield } : yield
        rescue Sidekiq::Shutdown
          store.update(jid) { |state| state.merge("state" => "queued") } # Sidekiq pushes it back
          raise
        rescue Exception => e # as Sidekiq does: anything a job raises is retried or kills it
          failed(store, jid, Retries.will_retry?(job_instance, job_hash) ? "retrying" : "dead", e)
          raise
        end
        store.update(jid) { |state| state.merge("state" => "succeeded", "plan" => recorder.plan, "ended_at" => Settings.now) }
        result
      end

      # `batch2flow rehearse --sidekiq --fail Worker`: the job dies at once, its retries
      # spent without waiting; its perform does not run
      def rehearsed_death(store, jid)
        error = {"class" => "Batch2flow::RehearsedFailure", "message" => "failed on purpose (rehearse --fail)",
                 "backtrace" => []}
        store.update(jid) { |state| state.merge("state" => "dead", "error" => error, "ended_at" => Settings.now) }
        nil
      end

      def failed(store, jid, state_name, exception)
        store.update(jid) do |state|
          state.merge("state" => state_name, "error" => Backtraces.error(exception), "ended_at" => Settings.now)
        end
      end

      def recording?(job_hash)
        job_hash["class"] == "Batch2flow::CallJob" || Settings.workers.include?(ActiveJobs.name_of(job_hash))
      end

      # Inside perform, `bid` and `batch` answer the batch the flow runs the job in.
      def helpers(job_instance, bid)
        job_instance.define_singleton_method(:bid) { bid }
        job_instance.define_singleton_method(:batch) { @batch2flow_batch ||= ::Sidekiq::Batch.new(bid) }
      end
    end
  end
end
