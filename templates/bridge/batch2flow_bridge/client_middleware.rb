# frozen_string_literal: true

module Batch2flow
  module Bridge
    # Sidekiq client middleware: while a call is recorded, a push of a workflow worker (one
    # the allowlist names) is recorded and halted (Sidekiq answers nil for its jid); every
    # other push, and every push outside a recorded call, goes through untouched.
    class ClientMiddleware
      def call(_worker_class, job, _queue, _redis_pool = nil)
        recorder = Recorder.current
        return yield if recorder.nil? || !Settings.workers.include?(ActiveJobs.name_of(job))

        recorder.enqueue(job.merge("class" => ActiveJobs.name_of(job), "args" => ActiveJobs.args_of(job)),
                         Sites.site(caller_locations))
        nil
      end
    end
  end
end
