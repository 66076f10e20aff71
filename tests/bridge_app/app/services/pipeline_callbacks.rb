# frozen_string_literal: true

class PipelineCallbacks
  def done(status, options)
    seen = {"bid" => status.bid, "parent_bid" => status.parent_bid, "total" => status.total,
            "failures" => status.failures, "failed_jids" => status.failed_jids,
            "complete" => status.complete?, "success" => status.success?, "options" => options}
    Sidekiq.redis { |c| c.rpush("effects", Sidekiq.dump_json(["done", seen])) }
    Sidekiq::Batch.new(status.bid).jobs do
      EffectWorker.perform_async("after", options["id"])
    end
  end

  def on_death(_status, _options)
    EffectWorker.perform_async("death", nil)
  end
end

class StepCallbacks
  def on_success(_status, options)
    EffectWorker.perform_async("step", options["id"])
  end
end
