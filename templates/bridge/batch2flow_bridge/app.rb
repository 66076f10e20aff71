# frozen_string_literal: true

module Batch2flow
  module Bridge
    # The bridge's Rack app (docs/bridge-protocol.md, version 1). Mount it under any path:
    # routes are read from PATH_INFO, so SCRIPT_NAME holds the prefix. It never redirects,
    # and the token is in no answer and no log line.
    class App
      MAX_BODY = 1 << 20
      JOB_PATH = %r{\A/v1/jobs/([0-9A-Za-z_-]{1,64})\z}
      CONNECTION_ERRORS = %w[Redis::BaseConnectionError RedisClient::ConnectionError].freeze
      STATE_FIELDS = %w[jid state retry_count error result plan started_at ended_at].freeze

      def initialize(token: ENV["BATCH2FLOW_BRIDGE_TOKEN"], insecure: ENV["BATCH2FLOW_BRIDGE_INSECURE"] == "1",
                     max_body: Integer(ENV["BATCH2FLOW_BRIDGE_MAX_BODY"] || MAX_BODY))
        @token = token.to_s.empty? ? nil : token.to_s
        if @token.nil? && !insecure
          raise ArgumentError, "batch2flow bridge: no token (set BATCH2FLOW_BRIDGE_TOKEN, or " \
                               "BATCH2FLOW_BRIDGE_INSECURE=1 on a trusted network)"
        end
        @max_body = max_body
        @store = Store.new
      end

      def call(env)
        authorize!(env)
        route(env, env["REQUEST_METHOD"], env["PATH_INFO"].to_s.empty? ? "/" : env["PATH_INFO"])
      rescue Refusal => e
        answer(e.status, {"error" => e.message})
      rescue StandardError => e
        busy = e.class.ancestors.any? { |ancestor| CONNECTION_ERRORS.include?(ancestor.name) }
        Sidekiq.logger.warn("batch2flow bridge: #{e.class} answering #{env["REQUEST_METHOD"]} #{env["PATH_INFO"]}")
        answer(busy ? 503 : 500, {"error" => busy ? "Redis cannot be reached; repeat" : "internal error (#{e.class})"})
      end

      private

      # Before anything is read: the bearer token, compared in constant time.
      def authorize!(env)
        return if @token.nil?

        given = env["HTTP_AUTHORIZATION"].to_s
        given = given.start_with?("Bearer ") ? given.delete_prefix("Bearer ") : ""
        return if given.bytesize == @token.bytesize && Rack::Utils.secure_compare(given, @token)

        raise Refusal.new(401, "missing or wrong bearer token")
      end

      def route(env, method, path)
        return post_job(env) if method == "POST" && path == "/v1/jobs"
        return post_call(env) if method == "POST" && path == "/v1/calls"
        return health if method == "GET" && path == "/v1/health"

        jid = JOB_PATH.match(path)&.[](1)
        return state(jid) if jid && method == "GET"
        return cancel(jid) if jid && method == "DELETE"

        raise Refusal.new(404, "no such path")
      end

      def post_job(env)
        key = Requests.key(env["HTTP_IDEMPOTENCY_KEY"])
        body = Requests.job(Requests.parse(read_body(env)))
        klass = worker_class(body["class"])
        active_job = ActiveJobs.job?(klass)
        queue = body["queue"] || (active_job ? ActiveJobs.queue_of(klass) : klass.get_sidekiq_options["queue"]) || "default"
        batch = body["batch"] || {}
        marker = {"key" => key, "bid" => batch["bid"], "parent_bid" => batch["parent_bid"]}
        enqueue(key, body, queue) do |jid|
          item = active_job ? ActiveJobs.item(klass, body["args"], queue) : {"class" => klass, "args" => body["args"]}
          item.merge!("jid" => jid, "b2f" => marker)
          item["queue"] = body["queue"] if body["queue"]
          # `perform_in` as the plan recorded it: Sidekiq's scheduled set holds it until due
          item["at"] = Time.now.to_f + body["in"] if body["in"]&.positive?
          Sidekiq::Client.push(item)
        end
      end

      def post_call(env)
        key = Requests.key(env["HTTP_IDEMPOTENCY_KEY"])
        body = Requests.call(Requests.parse(read_body(env)))
        queue = body["queue"] || "default"
        marker = {"key" => key, "bid" => nil, "parent_bid" => nil}
        call = body.reject { |name, _| %w[queue run_attempt].include?(name) }
        status = body["status"]
        marker["status_bid"], marker["status_parent_bid"] = status.values_at("bid", "parent_bid") if status
        enqueue(key, body, queue) do |jid|
          Sidekiq::Client.push("class" => CallJob, "args" => [call], "queue" => queue, "retry" => false,
                               "jid" => jid, "b2f" => marker)
        end
      end

      def enqueue(key, body, queue, &push)
        request = body.reject { |name, _| name == "run_attempt" }
        answer(*Enqueue.new(@store).call(key, request, body["run_attempt"], queue, &push))
      end

      def worker_class(name)
        klass = Object.const_get(name)
        return klass if klass.respond_to?(:get_sidekiq_options) || ActiveJobs.job?(klass)

        raise Refusal.new(422, "#{name} is not a Sidekiq worker in this process")
      rescue NameError
        raise Refusal.new(422, "#{name} is not loaded in the bridge's process (set BATCH2FLOW_REQUIRE to the app's boot file)")
      end

      def state(jid)
        found = @store.job(jid) or raise Refusal.new(404, "no such job")
        answer(200, found.slice(*STATE_FIELDS))
      end

      def cancel(jid)
        found = @store.update(jid) { |state| state["state"] == "queued" ? state.merge("state" => "cancelled") : nil }
        raise Refusal.new(404, "no such job") if found.nil?

        unless found["state"] == "cancelled"
          return answer(409, {"error" => "the job already #{found["state"]}: only a queued job can be cancelled",
                              "state" => found["state"]})
        end
        unqueue(jid, found["queue"])
        answer(200, {"jid" => jid, "state" => "cancelled"})
      end

      # Best effort: should a Sidekiq process fetch it anyway, the server middleware skips it.
      def unqueue(jid, queue)
        Sidekiq::Queue.new(queue).find_job(jid)&.delete if queue
        Sidekiq::ScheduledSet.new.find_job(jid)&.delete
      end

      def health
        answer(200, {"protocol" => PROTOCOL, "sidekiq" => Sidekiq::VERSION,
                     "workers" => Settings.workers.size, "callbacks" => Settings.callbacks.size})
      end

      # At most the limit and one byte more are read: a larger body is refused, never kept.
      def read_body(env)
        length = env["CONTENT_LENGTH"]
        raise Refusal.new(413, "the body is larger than #{@max_body} bytes") if length.to_s =~ /\A\d+\z/ && length.to_i > @max_body

        input = env["rack.input"]
        raw = input ? input.read(@max_body + 1).to_s : +""
        raise Refusal.new(413, "the body is larger than #{@max_body} bytes") if raw.bytesize > @max_body

        raw.dup.force_encoding(Encoding::UTF_8)
      end

      def answer(status, body)
        text = JSON.generate(body)
        [status, {"content-type" => "application/json", "cache-control" => "no-store",
                  "content-length" => text.bytesize.to_s}, [text]]
      end
    end
  end
end
