# frozen_string_literal: true

require "net/http"
require "uri"
require "base64"

module Batch2flow
  module Bridge
    # Starting a flow run must not half-happen silently: every way it fails says so.
    class StartFailed < StandardError; end

    # Just enough of Prefect's REST API to start a run of a deployment: read it by name,
    # create a flow run under an idempotency key (Prefect answers a repeat with the run it
    # made the first time, so a request repeated after a timeout starts one run).
    #
    # PREFECT_API_URL as Prefect's own clients read it (`http://127.0.0.1:4200/api`, or
    # Prefect Cloud's workspace URL); PREFECT_API_KEY (Prefect Cloud) or
    # PREFECT_API_AUTH_STRING (`user:password`, a self-hosted server's basic auth).
    class PrefectApi
      ATTEMPTS = 3
      OPEN_SECONDS = 5
      READ_SECONDS = 15

      def initialize(env = ENV)
        url = env["PREFECT_API_URL"].to_s
        raise StartFailed, "PREFECT_API_URL is not set: Batch2flow.start_flow cannot reach Prefect" if url.empty?

        @base = URI(url.end_with?("/") ? url : "#{url}/")
        @key = env["PREFECT_API_KEY"]
        @basic = env["PREFECT_API_AUTH_STRING"]
      end

      # The flow run's id.
      def create_flow_run(flow, deployment, parameters, idempotency_key)
        found = request(:get, "deployments/name/#{escape(flow)}/#{escape(deployment)}")
        body = {"parameters" => parameters, "idempotency_key" => idempotency_key}
        request(:post, "deployments/#{escape(found.fetch("id"))}/create_flow_run", body).fetch("id")
      end

      private

      def request(verb, path, body = nil)
        uri = @base + path
        attempt = 0
        begin
          attempt += 1
          answer(uri, send_once(verb, uri, body))
        rescue Timeout::Error, SystemCallError, IOError, Retry => e
          retry if attempt < ATTEMPTS # safe: the read is a read, the create carries its key
          raise StartFailed, "Prefect API #{verb.upcase} #{uri.path}: #{e.message} (#{attempt} attempts)"
        end
      end

      def send_once(verb, uri, body)
        http = Net::HTTP.new(uri.host, uri.port)
        http.use_ssl = uri.scheme == "https"
        http.open_timeout = OPEN_SECONDS
        http.read_timeout = READ_SECONDS
        request = verb == :get ? Net::HTTP::Get.new(uri) : Net::HTTP::Post.new(uri)
        request["Content-Type"] = "application/json"
        request["Authorization"] = authorization if authorization
        request.body = JSON.generate(body) if body
        http.request(request)
      end

      # Raised for answers worth asking again: Prefect or a proxy in front of it was busy.
      class Retry < StandardError; end

      def answer(uri, response)
        code = response.code.to_i
        return JSON.parse(response.body) if code.between?(200, 299)
        raise Retry, "answered #{code}" if [502, 503, 504].include?(code)

        # never follows a redirect: the credentials go to no other host
        detail = response.body.to_s[0, 300]
        raise StartFailed, "Prefect API #{uri.path} answered #{code}: #{detail}"
      end

      def authorization
        return "Bearer #{@key}" if @key && !@key.empty?
        return "Basic #{Base64.strict_encode64(@basic)}" if @basic && !@basic.empty?

        nil
      end

      def escape(text)
        URI.encode_www_form_component(text.to_s).gsub("+", "%20")
      end
    end
  end
end
