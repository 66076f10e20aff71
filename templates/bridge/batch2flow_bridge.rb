# frozen_string_literal: true

# The Ruby side of batch2flow's Sidekiq bridge (docs/bridge-protocol.md, version 1),
# written out by `batch2flow bridge PATH -o DIR` for the workflows read from PATH.
#
#   config/initializers/sidekiq.rb:  require "batch2flow_bridge"; Batch2flow::Bridge.install!
#   config/routes.rb:                mount Batch2flow::Bridge::App.new => "/batch2flow"
#
# or alone, next to this file: `puma config.ru` (see config.ru for its environment).
require "json"
require "set"
require "securerandom"
require "sidekiq"
require "sidekiq/api"

module Batch2flow
  module Bridge
    PROTOCOL = 1
    #: the folder of the bridge's own files: their frames are never a call site
    DIR = File.expand_path("batch2flow_bridge", __dir__)
    ENTRY = File.expand_path(__FILE__)
  end
end

%w[settings redis_calls store backtraces retries sites status active_jobs recorded_batch recorder batch_patch
   client_middleware server_middleware death_handler call_job requests enqueue app prefect_api flow_starts].each do |name|
  require_relative "batch2flow_bridge/#{name}"
end

module Batch2flow
  module Bridge
    # Call once from config/initializers/sidekiq.rb, after Sidekiq (and Sidekiq Pro or the
    # sidekiq-batch gem, if any) is loaded.
    def self.install!
      return if @installed

      @installed = true
      BatchPatch.apply!
      Sidekiq.configure_server do |config|
        config.server_middleware { |chain| chain.add ServerMiddleware }
        config.client_middleware { |chain| chain.add ClientMiddleware }
        config.death_handlers << DeathHandler.new
      end
      Sidekiq.configure_client do |config|
        config.client_middleware { |chain| chain.add ClientMiddleware }
      end
    end
  end
end
