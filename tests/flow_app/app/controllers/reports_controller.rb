# frozen_string_literal: true

# A controller action that starts a workflow: the bridge cannot call it (it needs its
# request), so the action wraps the Ruby that builds the batch in Batch2flow.start_flow,
# which records the plan here and starts the workflow's flow run with it.
class ReportsController
  attr_reader :params

  def initialize(params)
    @params = params
  end

  def create
    id = Integer(params.fetch("id"))
    Effects.write("requested", id)
    Batch2flow.start_flow("reports_controller_create") do
      batch = Sidekiq::Batch.new
      # calls over several lines: Ruby and the graph must agree on where each one is
      batch
        .on(:complete, ReportCallbacks, "id" => id)
      batch.jobs do
        params.fetch("parts").each do |part|
          PartWorker
            .set(queue: "flow_test")
            .perform_async(id, part)
        end
      end
      Effects.write("bid", batch.bid)
    end
  end
end
