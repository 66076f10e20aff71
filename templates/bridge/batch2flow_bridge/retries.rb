# frozen_string_literal: true

module Batch2flow
  module Bridge
    # Sidekiq's retry arithmetic (JobRetry#attempt_retry), read from the job hash.
    module Retries
      module_function

      # How many retries Sidekiq has started: 0 on the first run.
      def started(job_hash)
        count = job_hash["retry_count"]
        count.is_a?(Integer) ? count + 1 : 0
      end

      # Whether Sidekiq puts the job in the retry set when this run raises.
      def will_retry?(job_instance, job_hash)
        option = job_hash.key?("retry") ? job_hash["retry"] : job_instance.class.get_sidekiq_options["retry"]
        return false unless option

        limit = option == true ? Settings.max_retries : option.to_i
        started(job_hash) < limit
      end
    end
  end
end
