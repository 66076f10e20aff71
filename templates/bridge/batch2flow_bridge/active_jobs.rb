# frozen_string_literal: true

module Batch2flow
  module Bridge
    # ActiveJob classes, run as Rails runs them on Sidekiq: pushed as the adapter's
    # JobWrapper around the job's serialized data. Their arguments travel in ActiveJob's
    # serialized form, which plain JSON values already are; what the recorder saw an app
    # enqueue (a record as its GlobalID, a symbol-keyed hash) stays in the form Rails made.
    module ActiveJobs
      WRAPPERS = %w[ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper Sidekiq::ActiveJob::Wrapper].freeze

      module_function

      def job?(klass)
        defined?(::ActiveJob::Base) && klass.is_a?(Class) && klass < ::ActiveJob::Base
      end

      # The workflow's name for a pushed job: the ActiveJob class a wrapper carries, else its class.
      def name_of(job)
        WRAPPERS.include?(job["class"].to_s) && job["wrapped"] ? job["wrapped"].to_s : job["class"].to_s
      end

      # The arguments of a pushed job as the plan records them.
      def args_of(job)
        return job["args"] || [] unless WRAPPERS.include?(job["class"].to_s) && job["wrapped"]

        data = Array(job["args"]).first
        data.is_a?(Hash) ? Array(data["arguments"]) : []
      end

      def queue_of(klass) = klass.new.queue_name.to_s

      # What the adapter would push for a job of `klass` with `arguments` (serialized form).
      def item(klass, arguments, queue)
        data = klass.new.serialize.merge("arguments" => arguments, "queue_name" => queue)
        {"class" => ::ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper, "wrapped" => klass.to_s,
         "queue" => queue, "args" => [data]}
      end
    end
  end
end
