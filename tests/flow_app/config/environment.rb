# frozen_string_literal: true

# The flow test app's boot file (BATCH2FLOW_REQUIRE for the Rack app, required by sidekiq_boot.rb).
require "sidekiq"
require "active_job"
# Sidekiq 7.3 and later bring their own ActiveJob adapter, which a Rails app loads with
# sidekiq/rails (CI runs Debian's Sidekiq 6, where Rails' adapter is used)
require "sidekiq/rails" if Gem::Version.new(Sidekiq::VERSION) >= Gem::Version.new("7.3")
ActiveJob::Base.queue_adapter = :sidekiq
ActiveJob::Base.logger = Logger.new(nil)
Dir[File.expand_path("../app/**/*.rb", __dir__)].sort.each { |file| require file }
