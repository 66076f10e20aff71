# frozen_string_literal: true

module Batch2flow
  module Bridge
    # A request that is answered with an error status and `{"error": message}`.
    class Refusal < StandardError
      attr_reader :status

      def initialize(status, message)
        super(message)
        @status = status
      end
    end

    # The bodies of POST /v1/jobs and POST /v1/calls, checked field by field.
    module Requests
      KEY = /\A[A-Za-z0-9._:-]{1,200}\z/
      CONSTANT = /\A[A-Z]\w*(::[A-Z]\w*)*\z/
      JOB_FIELDS = %w[class args queue run_attempt].freeze
      STARTER_FIELDS = %w[kind target args queue run_attempt].freeze
      CALLBACK_FIELDS = %w[kind target event options queue run_attempt status].freeze
      STATUS_FIELDS = %w[bid parent_bid total failures pending failed_jids].freeze
      INT64 = (-(2**63))...(2**63)

      module_function

      def key(header)
        return header if header.is_a?(String) && KEY.match?(header)

        raise Refusal.new(400, "the Idempotency-Key header is missing or malformed (1 to 200 of A-Z a-z 0-9 . _ : -)")
      end

      def parse(raw)
        body = JSON.parse(raw)
        raise Refusal.new(400, "the body must be a JSON object") unless body.is_a?(Hash)

        body
      rescue JSON::ParserError, EncodingError
        raise Refusal.new(400, "the body is not JSON")
      end

      def job(body)
        fields = JOB_FIELDS + %w[batch in].select { |optional| body.key?(optional) }
        exactly(body, fields, "class, args, queue, run_attempt and optional batch and in")
        name = body["class"]
        bad!("class must be a class name") unless name.is_a?(String) && CONSTANT.match?(name)
        bad!("args must be an array") unless body["args"].is_a?(Array)
        common(body)
        batch(body["batch"]) if body.key?("batch")
        delay = body["in"]
        bad!("in must be null or a number of seconds, 0 or more") unless delay.nil? || (delay.is_a?(Numeric) && delay.finite? && delay >= 0)
        raise Refusal.new(422, "#{name} is not a worker of the bridge's allowlist") unless Settings.workers.include?(name)

        native!(body["args"], "args")
        body
      end

      def call(body)
        kind = body["kind"]
        bad!("kind must be starter or callback") unless %w[starter callback].include?(kind)
        kind == "starter" ? starter(body) : callback(body)
        body
      end

      def starter(body)
        fields = STARTER_FIELDS + (body.key?("kwargs") ? %w[kwargs] : [])
        exactly(body, fields, "#{STARTER_FIELDS.join(", ")} and optional kwargs")
        bad!("target must be a string") unless body["target"].is_a?(String)
        bad!("args must be an array") unless body["args"].is_a?(Array)
        bad!("kwargs must be an object") unless !body.key?("kwargs") || body["kwargs"].is_a?(Hash)
        common(body)
        raise Refusal.new(422, "#{body["target"]} is not a starter of the bridge's allowlist") unless Settings.starters.include?(body["target"])

        native!(body["args"], "args")
        native!(body["kwargs"], "kwargs") if body.key?("kwargs")
      end

      def callback(body)
        exactly(body, CALLBACK_FIELDS, CALLBACK_FIELDS.join(", "))
        bad!("target and event must be strings") unless body["target"].is_a?(String) && body["event"].is_a?(String)
        bad!("options must be an object or null") unless body["options"].nil? || body["options"].is_a?(Hash)
        common(body)
        status(body["status"])
        allowed_callback!(body["target"], body["event"])
        native!(body["options"], "options")
      end

      def allowed_callback!(target, event)
        name = RecordedBatch.target_name(target, event)
        return if Settings::EVENTS.include?(event) && Settings.callbacks.fetch(name, Set.new).include?(event)

        raise Refusal.new(422, "#{target} is not a :#{event} callback of the bridge's allowlist")
      end

      def common(body)
        queue = body["queue"]
        bad!("queue must be a non-empty string or null") unless queue.nil? || (queue.is_a?(String) && !queue.empty?)
        attempt = body["run_attempt"]
        bad!("run_attempt must be an integer, 1 or more") unless attempt.is_a?(Integer) && attempt >= 1
      end

      def batch(value)
        return if value.nil?

        bad!("batch must be null or an object of bid and parent_bid") unless value.is_a?(Hash) && value.key?("bid") &&
                                                                              (value.keys - %w[bid parent_bid]).empty?
        bad!("batch.bid must be a non-empty string") unless value["bid"].is_a?(String) && !value["bid"].empty?
        bad!("batch.parent_bid must be a string or null") unless value["parent_bid"].nil? || value["parent_bid"].is_a?(String)
      end

      def status(value)
        bad!("status must be an object of #{STATUS_FIELDS.join(", ")}") unless value.is_a?(Hash) && value.keys.sort == STATUS_FIELDS.sort
        bad!("status.bid must be a string") unless value["bid"].is_a?(String)
        bad!("status.parent_bid must be a string or null") unless value["parent_bid"].nil? || value["parent_bid"].is_a?(String)
        counts = value.values_at("total", "failures", "pending")
        bad!("status total, failures and pending must be integers, 0 or more") unless counts.all? { |n| n.is_a?(Integer) && n >= 0 }
        jids = value["failed_jids"]
        bad!("status.failed_jids must be an array of strings") unless jids.is_a?(Array) && jids.all?(String)
      end

      def exactly(body, fields, named)
        bad!("the body must be an object of exactly #{named}") unless body.keys.sort == fields.sort
      end

      # As Sidekiq's strict_args! accepts them: no infinite floats, no integers beyond 64 bits.
      def native!(value, what)
        return if native?(value)

        raise Refusal.new(422, "#{what} hold a value that is not JSON-native (an infinite float or an integer beyond 64 bits)")
      end

      def native?(value)
        case value
        when Array then value.all? { |item| native?(item) }
        when Hash then value.all? { |k, v| k.is_a?(String) && native?(v) }
        when Integer then INT64.cover?(value)
        when Float then value.finite?
        else value.nil? || value == true || value == false || value.is_a?(String)
        end
      end

      def bad!(message)
        raise Refusal.new(400, message)
      end
    end
  end
end
