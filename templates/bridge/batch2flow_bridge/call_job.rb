# frozen_string_literal: true

module Batch2flow
  # Runs the workflow's starter or one of its callback methods in a Sidekiq process, in
  # recording mode (the bridge's server middleware records what it builds and enqueues).
  # Never retried: a callback that raises is dead at once, and the flow run fails.
  class CallJob
    include Sidekiq::Worker
    sidekiq_options retry: false

    def perform(call)
      if Bridge::Recorder.current.nil?
        raise "Batch2flow::CallJob runs only under the bridge's server middleware: call " \
              "Batch2flow::Bridge.install! in config/initializers/sidekiq.rb"
      end

      target = call.fetch("target")
      if call.fetch("kind") == "starter"
        keywords = call.fetch("kwargs", {}).transform_keys(&:to_sym)
        starter(target).call(*call.fetch("args"), **keywords)
      else
        callback(target, call.fetch("event")).call(Bridge::Status.new(call["status"]), call["options"] || {})
      end
      nil
    end

    private

    def starter(target)
      raise ArgumentError, "not a starter of the allowlist: #{target}" unless Bridge::Settings.starters.include?(target)

      klass, separator, method = target.rpartition(/[.#]/)
      receiver = Object.const_get(klass)
      (separator == "." ? receiver : receiver.new).method(method)
    end

    def callback(target, event)
      name = Bridge::RecordedBatch.target_name(target, event)
      unless Bridge::Settings.callbacks.fetch(name, Set.new).include?(event)
        raise ArgumentError, "not a callback of the allowlist: #{name} (#{event})"
      end

      klass, _, method = name.partition("#")
      Object.const_get(klass).new.method(method)
    end
  end
end
