# frozen_string_literal: true

# `sidekiq -r` of the flow tests: the app, then the bridge as an initializer installs it.
require_relative "environment"
require File.join(ENV.fetch("BATCH2FLOW_BRIDGE_DIR"), "batch2flow_bridge")
Batch2flow::Bridge.install!
