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
module Oracle
  module Starter
    module_function

    def call(label, given = {})
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
