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
      batch.on(:complete, ReportCallbacks, "id" => id)
      batch.jobs do
        params.fetch("parts").each { |part| PartWorker.perform_async(id, part) }
      end
      Effects.write("bid", batch.bid)
    end
  end
end
