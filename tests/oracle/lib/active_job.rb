# frozen_string_literal: true

require "securerandom"

# A minimal ActiveJob on the Sidekiq adapter (there is no Rails here). It
# enqueues the way Rails' SidekiqAdapter does: a push of
# ActiveJob::QueueAdapters::SidekiqAdapter::JobWrapper with the job class in
# 'wrapped' and the serialized job as the only argument, so the push goes
# through Sidekiq's client middleware and joins the open batch like any job.
module ActiveJob
  class DeserializationError < StandardError; end
  class SerializationError < ArgumentError; end

  # Rails' argument format, enough for keywords and symbols to survive JSON
  module Arguments
    SYMBOL = "ActiveJob::Serializers::SymbolSerializer"
    module_function

    def serialize(value)
      case value
      when nil, true, false, Integer, Float, String then value
      when Symbol then { "_aj_serialized" => SYMBOL, "value" => value.to_s }
      when Array then value.map { |item| serialize(item) }
      when Hash then serialize_hash(value)
      else value.to_s # Rails would use GlobalID or raise; a stand-in travels as its name
      end
    end

    def serialize_hash(hash)
      out = hash.to_h { |key, item| [key.to_s, serialize(item)] }
      marker = Hash.ruby2_keywords_hash?(hash) ? "_aj_ruby2_keywords" : "_aj_symbol_keys"
      out.merge(marker => hash.keys.select { |key| key.is_a?(Symbol) }.map(&:to_s))
    end

    def deserialize(value)
      case value
      when Array then value.map { |item| deserialize(item) }
      when Hash then deserialize_hash(value)
      else value
      end
    end

    def deserialize_hash(hash)
      return hash["value"].to_sym if hash["_aj_serialized"] == SYMBOL

      symbols = hash["_aj_ruby2_keywords"] || hash["_aj_symbol_keys"] || []
      plain = hash.reject { |key, _| key.start_with?("_aj_") }
      out = plain.to_h { |key, item| [symbols.include?(key) ? key.to_sym : key, deserialize(item)] }
      hash.key?("_aj_ruby2_keywords") ? Hash.ruby2_keywords_hash(out) : out
    end
  end

  module QueueAdapters
    class SidekiqAdapter
      class JobWrapper
        include Sidekiq::Worker

        def perform(job_data)
          ActiveJob::Base.execute(job_data)
        end
      end
    end
  end

  # what `Job.set(wait: 5.minutes)` answers
  class ConfiguredJob
    def initialize(job_class, options)
      @job_class = job_class
      @options = options
    end

    def set(options)
      ConfiguredJob.new(@job_class, @options.merge(options))
    end

    ruby2_keywords def perform_later(*args)
      @job_class.new(*args).enqueue(@options)
    end

    ruby2_keywords def perform_now(*args)
      @job_class.new(*args).perform_now
    end
  end

  class Base
    class << self
      def queue_as(name = nil, &block)
        @queue_as = block || name
      end

      def queue_setting
        defined?(@queue_as) ? @queue_as : (superclass.respond_to?(:queue_setting) ? superclass.queue_setting : nil)
      end

      # retry/discard policies and callbacks: ActiveJob's business, not the batch's
      %i[retry_on discard_on rescue_from before_perform after_perform around_perform
         before_enqueue after_enqueue around_enqueue queue_with_priority sidekiq_options].each do |dsl|
        define_method(dsl) { |*_args, **_kwargs, &_block| nil }
      end

      def set(options = {})
        ConfiguredJob.new(self, options)
      end

      ruby2_keywords def perform_later(*args)
        new(*args).enqueue
      end

      ruby2_keywords def perform_now(*args)
        new(*args).perform_now
      end

      def execute(job_data)
        job = Oracle.strict_constant(job_data.fetch("job_class")).new(*Arguments.deserialize(job_data["arguments"]))
        job.job_id = job_data["job_id"]
        job.perform_now
      end
    end

    attr_accessor :arguments, :job_id, :executions
    attr_writer :queue_name

    ruby2_keywords def initialize(*arguments)
      @arguments = arguments
      @job_id = SecureRandom.uuid
      @executions = 0
    end

    def queue_name
      @queue_name ||= begin
        setting = self.class.queue_setting
        (setting.is_a?(Proc) ? instance_exec(&setting) : setting || "default").to_s
      rescue StandardError
        "default"
      end
    end

    def perform_now
      @executions += 1
      perform(*arguments)
    end

    def enqueue(options = {})
      self.queue_name = options[:queue] if options[:queue]
      item = { "class" => QueueAdapters::SidekiqAdapter::JobWrapper, "wrapped" => self.class,
               "queue" => queue_name, "args" => [serialize] }
      wait = options[:wait_until] || options[:wait]
      item["at"] = (wait.is_a?(Numeric) ? Time.now.to_f + wait : wait.to_f) if wait
      Sidekiq::Client.push(item)
      self
    end

    def serialize
      { "job_class" => self.class.name, "job_id" => job_id, "queue_name" => queue_name,
        "arguments" => Arguments.serialize(arguments), "executions" => executions, "locale" => "en" }
    end
  end
end
