# frozen_string_literal: true

module Batch2flow
  # Starts the flow of a workflow whose starter the bridge cannot call: a controller
  # action (it needs its request), a rake task, a script. Wrap the Ruby that built the
  # batch:
  #
  #   Batch2flow.start_flow("admin_exports_controller_create") do
  #     batch = Sidekiq::Batch.new
  #     batch.on(:success, Exports::CsvReadyCallback, "export_id" => export.id)
  #     batch.jobs { Exports::BuildCsvWorker.perform_async(export.id) }
  #     export.update!(bid: batch.bid)
  #   end
  #
  # The block runs here, as written, with its side effects; the recorder stands in for
  # Sidekiq::Batch and for the enqueues of the workflow's workers, as in every call the
  # bridge runs. What it recorded (the plan) becomes the `plan` parameter of a new run of
  # the workflow's deployment, which submits exactly that. Returns the flow run's id.
  # `deployment` defaults to the name `batch2flow convert` gives it, the workflow's.
  def self.start_flow(workflow, deployment: workflow, api: nil, &block)
    Bridge::FlowStarts.start(workflow.to_s, deployment.to_s, api || Bridge::PrefectApi.new, &block)
  end

  module Bridge
    module FlowStarts
      module_function

      def start(workflow, deployment, api)
        raise ArgumentError, "Batch2flow.start_flow needs a block: the Ruby that builds the batch" unless block_given?
        unless Settings.recorded_starts.include?(workflow)
          raise ArgumentError, "#{workflow} is not a workflow the app starts with Batch2flow.start_flow " \
                               "(allowlist.json: #{Settings.recorded_starts.to_a.join(", ")})"
        end
        if Recorder.current
          raise ArgumentError, "Batch2flow.start_flow inside code the bridge records: the flow that runs " \
                               "this code goes on with the workflow itself"
        end

        # one key per start: the bids the block sees, and the flow run's idempotency key
        key = "b2f-start-#{SecureRandom.hex(12)}"
        recorder = Recorder.new(key)
        recorder.active { yield }
        api.create_flow_run(workflow, deployment, {"plan" => recorder.plan}, key)
      end
    end
  end
end
