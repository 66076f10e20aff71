# frozen_string_literal: true

# The flow test app's boot file (BATCH2FLOW_REQUIRE for the Rack app, required by sidekiq_boot.rb).
require "sidekiq"
Dir[File.expand_path("../app/**/*.rb", __dir__)].sort.each { |file| require file }
