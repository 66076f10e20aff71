# frozen_string_literal: true

# `sidekiq -r` of the seed pipeline test: the app with its stand-ins, then the bridge.
require_relative "environment"
require File.join(ENV.fetch("BATCH2FLOW_BRIDGE_DIR"), "batch2flow_bridge")
Batch2flow::Bridge.install!
