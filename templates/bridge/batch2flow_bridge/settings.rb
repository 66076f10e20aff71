# frozen_string_literal: true

module Batch2flow
  module Bridge
    # What the bridge allows (allowlist.json, rendered from batch2flow's graph) and where
    # the app lives (call sites are relative to it).
    module Settings
      EVENTS = %w[success complete death].freeze
      DEFAULT_MAX_RETRIES = 25

      module_function

      def allowlist
        @allowlist ||= JSON.parse(File.read(File.join(DIR, "allowlist.json"), encoding: "UTF-8")).freeze
      end

      def workers
        @workers ||= Set.new(allowlist.fetch("workers")).freeze
      end

      # target ("Klass#method") -> events it is registered for
      def callbacks
        @callbacks ||= allowlist.fetch("callbacks").transform_values { |events| Set.new(events) }.freeze
      end

      def starters
        @starters ||= Set.new(allowlist.fetch("starters")).freeze
      end

      # workflows the app starts with Batch2flow.start_flow (their starter needs a request,
      # or is a rake task or a script)
      def recorded_starts
        @recorded_starts ||= Set.new(allowlist.fetch("recorded_starts", [])).freeze
      end

      # Workers whose every job dies at once: `batch2flow rehearse --sidekiq --fail W`
      # sets BATCH2FLOW_FAIL (comma-separated) for the Sidekiq process it starts.
      def failing
        @failing ||= Set.new(ENV.fetch("BATCH2FLOW_FAIL", "").split(",").map(&:strip).reject(&:empty?)).freeze
      end

      # The folder batch2flow read the app from: BATCH2FLOW_APP_ROOT, else the allowlist's
      # app_root taken from the Rails root (or the current folder).
      def app_root
        @app_root ||= File.expand_path(ENV["BATCH2FLOW_APP_ROOT"] || allowlist["app_root"] || ".", base_folder)
      end

      def base_folder
        root = defined?(::Rails) && ::Rails.respond_to?(:root) ? ::Rails.root : nil
        root ? root.to_s : Dir.pwd
      end

      def max_retries
        options = if Sidekiq.respond_to?(:default_configuration)
                    Sidekiq.default_configuration
                  else
                    Sidekiq.options
                  end
        options[:max_retries] || DEFAULT_MAX_RETRIES
      end

      def now
        Process.clock_gettime(Process::CLOCK_MONOTONIC)
      end
    end
  end
end
