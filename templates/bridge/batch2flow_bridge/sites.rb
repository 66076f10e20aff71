# frozen_string_literal: true

module Batch2flow
  module Bridge
    # The Ruby call site of a recorded row: the innermost frame inside the app's root that
    # is not the bridge's own code nor a gem vendored under the app.
    module Sites
      module_function

      def site(locations)
        root = "#{Settings.app_root}/"
        paths = locations.map { |location| [location.absolute_path || location.path, location.lineno] }
        found = paths.find { |path, _| path&.start_with?(root) && !bridge?(path) && !vendored?(path, root) }
        found ||= paths.find { |path, _| path && !bridge?(path) && !path.start_with?("<") }
        return {"file" => "(unknown)", "line" => 1} if found.nil?

        {"file" => found[0].delete_prefix(root), "line" => [found[1].to_i, 1].max}
      end

      def bridge?(path)
        path == ENTRY || path.start_with?("#{DIR}/")
      end

      def vendored?(path, root)
        path.start_with?("#{root}vendor/")
      end
    end
  end
end
