# frozen_string_literal: true

# Hooks into real Sidekiq: every enqueue form (perform_async/in/at/bulk, set,
# Client.push/push_bulk, ActiveJob) ends in Sidekiq::Client, so this sees them all.
module Oracle
  # Pro's client middleware stamps the open batch's bid on the job; the oracle
  # also notes the causal context the push was made in.
  class ClientMiddleware
    def call(_worker_class, job, _queue, _redis_pool)
      current = Thread.current[:sidekiq_batch]
      job["bid"] ||= current.bid if current
      Oracle.engine.note_enqueue(job)
      yield
    end
  end

  # --fail WORKER: the job dies at once, without retries and before its perform
  class FailMiddleware
    def call(_worker, job, _queue)
      name = (job["wrapped"] || job["class"]).to_s.delete_prefix("::")
      raise InjectedFailure, "--fail #{name}" if Oracle.engine.fail?(name)

      yield
    end
  end

  # "Batches": jobs pushed inside a jobs block reach Redis together when it
  # ends, so a push made there is held until Engine#fill flushes it.
  module BufferedPush
    def raw_push(payloads)
      buffer = Thread.current[:oracle_push_buffer]
      if buffer
        buffer.concat(payloads)
        return true
      end
      Oracle.engine.record_pushed(payloads)
      super
    end
  end
end

Sidekiq.client_middleware { |chain| chain.add Oracle::ClientMiddleware }
Sidekiq::Testing.server_middleware { |chain| chain.add Oracle::FailMiddleware }
Sidekiq::Client.prepend(Oracle::BufferedPush)
