# frozen_string_literal: true

# The bridge alone, next to its files: `puma config.ru` (or `rackup config.ru`).
#
#   REDIS_URL                   the Redis of the Sidekiq processes (Sidekiq reads it)
#   BATCH2FLOW_BRIDGE_TOKEN     the bearer token clients send; required unless
#   BATCH2FLOW_BRIDGE_INSECURE  is 1 (a trusted network only)
#   BATCH2FLOW_APP_ROOT         the folder batch2flow read the app from (call sites are relative to it)
#   BATCH2FLOW_REQUIRE          the app's boot file (config/environment.rb), so worker classes resolve
#   BATCH2FLOW_BRIDGE_MAX_BODY  the largest request body in bytes (1 MiB)
if ENV["BATCH2FLOW_BRIDGE_TOKEN"].to_s.empty? && ENV["BATCH2FLOW_BRIDGE_INSECURE"] != "1"
  abort "batch2flow bridge: not starting without BATCH2FLOW_BRIDGE_TOKEN " \
        "(or BATCH2FLOW_BRIDGE_INSECURE=1 on a trusted network)"
end

boot = ENV["BATCH2FLOW_REQUIRE"].to_s
require File.expand_path(boot, ENV["BATCH2FLOW_APP_ROOT"] || Dir.pwd) unless boot.empty?
require_relative "batch2flow_bridge"

run Batch2flow::Bridge::App.new
