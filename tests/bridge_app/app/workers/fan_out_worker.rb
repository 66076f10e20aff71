# frozen_string_literal: true

class FanOutWorker
  include Sidekiq::Worker
  sidekiq_options queue: "bridge_test"

  def perform(id)
    batch.jobs do
      EffectWorker.perform_async("fanned", id)
      child = Sidekiq::Batch.new
      child.description = "child of #{id}"
      child.on(:success, StepCallbacks, "id" => id, :kind => :child)
      child.jobs do
        EffectWorker.set(queue: "later").perform_in(30, "child", id + 1)
      end
    end
  end
end
