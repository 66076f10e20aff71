# frozen_string_literal: true

# Loads a fixture tree the way a Rails app with Zeitwerk would: every folder
# under app/ (app/workers, app/services, ...) and lib/ is an autoload root,
# `app/services/data_pipeline/callbacks.rb` defines DataPipeline::Callbacks, a
# folder without a file of its own is an implicit namespace module, and every
# file is then required in sorted order (eager loading). Autoloads make the
# order irrelevant: `class Billing::Invoices::Callback` loads
# app/models/billing/invoices.rb first. A file that fails to load is recorded
# and its autoloads removed, so its constants stay unknown.
module Oracle
  class Loader
    # bin/ and script/ hold scripts: Rails never loads them, they run when started (Starter)
    SKIPPED = %w[spec test vendor node_modules tmp db log coverage bin script].freeze

    attr_reader :errors

    def initialize(root)
      @root = root && File.expand_path(root)
      @tree = Hash.new { |hash, key| hash[key] = { file: nil, children: [] } }
      @autoloads = Hash.new { |hash, key| hash[key] = [] }
      @errors = []
      @broken = []
    end

    def files
      return [] unless @root

      @files ||= Dir.glob("**/*.rb", base: @root).sort
                    .reject { |rel| SKIPPED.include?(rel.split("/").first) }
                    .map { |rel| File.join(@root, rel) }
    end

    def load_all(extra_files)
      all = files + extra_files.map { |path| File.expand_path(path) }
      all.each { |path| Oracle.fixture_files << path }
      index
      tracer = TracePoint.new(:class) { |tp| namespace_opened(tp.self) }
      tracer.enable { all.each { |path| load_file(path) } }
    end

    private

    def roots
      found = Dir.glob(File.join(@root, "app", "*", "concerns")) + Dir.glob(File.join(@root, "app", "*")) +
              [File.join(@root, "lib")]
      found = found.select { |dir| File.directory?(dir) }
      found.empty? ? [@root] : found
    end

    def index
      return unless @root

      ordered_roots = roots
      files.each do |path|
        root = ordered_roots.find { |dir| path.start_with?("#{dir}/") }
        next unless root

        segments = path.delete_prefix("#{root}/").delete_suffix(".rb").split("/").map(&:camelize)
        segments.each_index do |i|
          children = @tree[segments[0, i]][:children]
          children << segments[i] unless children.include?(segments[i])
        end
        @tree[segments][:file] ||= path
      end
      define_namespace(Object, [])
    end

    def namespace_opened(mod)
      name = mod.name
      define_namespace(mod, name.split("::")) if name && @tree.key?(name.split("::"))
    end

    def define_namespace(mod, segments)
      @tree[segments][:children].each do |child|
        next if mod.const_defined?(child, false)

        path = segments + [child]
        file = @tree[path][:file]
        next if @broken.include?(file)

        if file
          mod.autoload(child.to_sym, file)
          @autoloads[file] << [mod, child.to_sym]
        else
          define_namespace(mod.const_set(child, Module.new), path)
        end
      end
    end

    def load_file(path)
      require path
    rescue ScriptError, StandardError => e
      @errors << "#{relative(path)}: #{e.class}: #{e.message.lines.first.to_s.strip}"
      @broken << path
      forget_autoloads(path)
    end

    def forget_autoloads(path)
      @autoloads[path].each do |mod, name|
        mod.send(:remove_const, name) if mod.autoload?(name)
      rescue NameError
        nil
      end
    end

    def relative(path)
      @root && path.start_with?("#{@root}/") ? path.delete_prefix("#{@root}/") : path
    end
  end
end
