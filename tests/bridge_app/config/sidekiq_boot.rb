# frozen_string_literal: true

# `sidekiq -r` of the bridge tests: the app, then the bridge as an initializer installs it.
require_relative "environment"
require File.join(ENV.fetch("BATCH2FLOW_BRIDGE_DIR"), "batch2flow_bridge")
Batch2flow::Bridge.install!
# the retry set is polled often, so a retry runs about a second after it is due
Sidekiq.options[:poll_interval_average] = 1 if Sidekiq.respond_to?(:options)
