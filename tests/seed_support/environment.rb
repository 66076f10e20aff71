# frozen_string_literal: true

# Boots fixtures/seed_pipeline outside Rails for the end-to-end test: the models and
# services its workers call are stand-ins that write what they did to the Redis list
# `effects`, so the test can read the order Sidekiq ran the Ruby in.
require "date"
require "sidekiq"

module Effects
  module_function

  def write(*what)
    Sidekiq.redis { |c| c.rpush("effects", Sidekiq.dump_json(what)) }
  end
end

class Time
  def self.current
    now
  end
end

class PipelineRun
  def self.find_or_create_by!(source_id:, run_date:)
    new(source_id, run_date)
  end

  def self.find_by!(source_id:, run_date:)
    new(source_id, run_date)
  end

  def initialize(source_id, run_date)
    @source_id, @run_date = source_id, run_date
  end

  def update!(state:, **)
    Effects.write("pipeline_run", state, @source_id, @run_date)
  end
end

# Extractor.new(id).pull_orders!(date), Transformer.new(id, date).build_fact_tables!, ...
class Step
  def initialize(source_id, run_date = nil)
    @source_id, @run_date = source_id, run_date
  end

  def method_missing(name, *args)
    return super unless name.end_with?("!")

    Effects.write(name.to_s.delete_suffix("!"), @source_id)
  end

  def respond_to_missing?(name, include_private = false)
    name.end_with?("!") || super
  end
end

Extractor = Class.new(Step)
Transformer = Class.new(Step)
Loader = Class.new(Step)
Publisher = Class.new(Step)

# The app's Ruby, as Rails would load it (the controllers need Rails: not loaded).
app = File.expand_path("../../fixtures/seed_pipeline/app", __dir__)
Dir[File.join(app, "{services,workers}", "**", "*.rb")].sort.each { |file| require file }
