# frozen_string_literal: true

module Batch2flow
  module Bridge
    # An exception as a job's state names it: class, message, the first 10 backtrace lines,
    # paths inside the app relative to its root.
    module Backtraces
      LINES = 10

      module_function

      def error(exception)
        root = "#{Settings.app_root}/"
        lines = (exception.backtrace || []).first(LINES).map { |line| line.delete_prefix(root) }
        {"class" => exception.class.name, "message" => exception.message.to_s.scrub, "backtrace" => lines}
      end
    end
  end
end
