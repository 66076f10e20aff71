# frozen_string_literal: true

# Calls a starter the way batch2flow labels it. A parameter (positional or keyword)
# named in the request's `arguments` gets that JSON value, the way a flow parameter
# of the same name does; any other required or optional parameter (and required
# keyword) gets Oracle.unknown_value: a stand-in, or nil when the run's stand-ins
# are falsy.
#   "Klass.meth"  -> Klass.meth(*values)
#   "Klass#meth"  -> Klass.new(*values).meth(*values), or
#                    Klass.allocate.meth(...) when `new` raises
#   "meth"        -> a top-level method
#   "rake ns:task" -> that rake task's block (lib/tasks/**/*.rake, Rakefile)
#   "bin/x", "script/y" -> that file of the tree, run as `rails runner` runs it
module Oracle
  module Starter
    module_function

    def call(label, given = {}, root = nil)
      return RakeTasks.new(root).run(label.delete_prefix("rake ")) if label.start_with?("rake ")

      script = root && [label, "#{label}.rb"].map { |name| File.join(root, name) }.find { |f| File.file?(f) }
      return load(script) if script

      if label.include?("#")
        klass, meth = label.split("#", 2)
        instance_starter(Oracle.strict_constant(klass), meth.to_sym, given)
      elsif label.include?(".")
        klass, _, meth = label.rpartition(".")
        invoke(Oracle.strict_constant(klass), Oracle.strict_constant(klass).method(meth.to_sym), given)
      else
        invoke(TOPLEVEL_BINDING.receiver, Object.instance_method(label.to_sym), given)
      end
    end

    def instance_starter(klass, meth, given)
      raise TypeError, "#{klass} is not a class" unless klass.is_a?(Class)

      invoke(receiver_for(klass, given), klass.instance_method(meth), given)
    end

    def receiver_for(klass, given)
      args, kwargs = arguments(klass.instance_method(:initialize), given)
      klass.new(*args, **kwargs)
    rescue StandardError
      klass.allocate
    end

    def invoke(receiver, method, given)
      args, kwargs = arguments(method, given)
      receiver.send(method.name, *args, **kwargs)
    end

    def arguments(method, given)
      params = method.parameters
      positional = params.select { |kind, _| %i[req opt].include?(kind) }.map { |_, name| value_for(name, given) }
      # an optional keyword keeps its default unless the request names it
      keywords = params.select { |kind, name| kind == :keyreq || (kind == :key && given.key?(name.to_s)) }
                       .to_h { |_, name| [name, value_for(name, given)] }
      [positional, keywords]
    end

    def value_for(name, given)
      given.key?(name.to_s) ? given[name.to_s] : Oracle.unknown_value
    end
  end
end

module Oracle
  # Just enough of Rake's DSL to find a task's block: `namespace`, `task`, `desc`.
  class RakeTasks
    def initialize(root)
      @tasks = {}
      @namespace = []
      files = Dir.glob(File.join(root.to_s, "lib", "tasks", "**", "*.rake")).sort
      files << File.join(root.to_s, "Rakefile") if File.file?(File.join(root.to_s, "Rakefile"))
      files.each { |path| instance_eval(File.read(path), path, 1) }
    end

    def run(name)
      @tasks.fetch(name) { raise ArgumentError, "no rake task #{name}" }.call
    end

    def namespace(name)
      @namespace.push(name.to_s)
      yield
    ensure
      @namespace.pop
    end

    def task(*args, &block)
      first = args.first
      name = first.is_a?(Hash) ? first.keys.first : first
      @tasks[[*@namespace, name.to_s].join(":")] = block if block
    end

    def desc(*); end
  end
end
