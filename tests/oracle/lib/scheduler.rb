# frozen_string_literal: true

require "json"

# A deterministic, single-threaded scheduler: one FIFO of steps, a step being
# a pushed job or a callback whose batch is done. Jobs run through Sidekiq's
# testing API (`process_job`, which runs Sidekiq::Testing.server_middleware and
# sets `bid`); callbacks are instantiated and called the way Pro does:
# `Klass.new.on_<event>(status, options)` or `Klass.new.method(status, options)`.
#
# FIFO is only one schedule among many. What is recorded is the causal set of
# each context, which holds for every schedule Sidekiq could pick.
module Oracle
  module Scheduler
    def init_scheduler(max_jobs, max_callbacks)
      @jobs = []
      @callbacks = []
      @steps = []
      @max = { job: max_jobs, callback: max_callbacks }
      @ran = { job: 0, callback: 0 }
      @truncated = false
    end

    def causal_now
      Thread.current[:oracle_causal] || []
    end

    # the starter runs before anything finished; a job with its `after`; a
    # callback with the union it waited for
    def in_context(causal)
      saved = %i[oracle_causal sidekiq_batch oracle_push_buffer].to_h { |key| [key, Thread.current[key]] }
      Thread.current[:oracle_causal] = causal
      Thread.current[:sidekiq_batch] = nil
      Thread.current[:oracle_push_buffer] = nil
      yield
    ensure
      saved&.each { |key, value| Thread.current[key] = value }
    end

    def run
      until @steps.empty?
        kind, record = @steps.first
        if @ran[kind] >= @max[kind]
          @truncated = true # a workflow that restarts itself would never end
          break
        end
        @steps.shift
        @ran[kind] += 1
        kind == :job ? run_job(record) : run_callback(record)
      end
    end

    def describe(error)
      "#{error.class}: #{error.message.lines.first.to_s.strip}"[0, 500]
    end

    def scheduler_report
      { "jobs" => @jobs.map(&:to_json_hash), "callbacks" => @callbacks.map(&:to_json_hash), "truncated" => @truncated }
    end

    private

    def schedule_callback(state, registration, causal)
      record = CallbackRecord.new(bid: state.bid, registration: registration, after: causal.dup, ran: false)
      @callbacks << record
      @steps << [:callback, record]
    end

    # any exception is a death: Workers in --fail raise from the server
    # middleware; anything else a perform raises (a stand-in problem too) is kept
    def run_job(job)
      payload = take_payload(job)
      in_context(job.after) { Sidekiq::Testing.constantize(payload["class"]).process_job(payload) }
      job.state = :succeeded
    rescue Exception => e # ScriptErrors (NotImplementedError, a broken autoload) are deaths too
      job.state = :died
      job.error = describe(e)
    ensure
      job_finished(job)
    end

    def take_payload(job)
      payload = Sidekiq::Queues.jobs_by_queue[job.queue].find { |candidate| candidate["jid"] == job.jid }
      raise "job #{job.jid} is not in the fake queue #{job.queue}" unless payload

      Sidekiq::Queues.delete_for(job.jid, job.queue, payload["class"])
      payload
    end

    def run_callback(record)
      klass, meth = record.class_and_method
      in_context(record.after) do
        target = Oracle.strict_constant(klass).new
        target.send(meth, Sidekiq::Batch::Status.new(record.bid), JSON.parse(record.registration.options_json))
      end
    rescue Exception => e
      record.error = describe(e)
    ensure
      record.ran = true
      callback_finished(record)
    end
  end
end
