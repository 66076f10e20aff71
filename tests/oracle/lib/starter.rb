# frozen_string_literal: true

# Calls a starter the way batch2flow labels it, with a stand-in per required
# or optional parameter (and per required keyword):
#   "Klass.meth"  -> Klass.meth(*stand_ins)
#   "Klass#meth"  -> Klass.new(*stand_ins).meth(*stand_ins), or
#                    Klass.allocate.meth(...) when `new` raises
#   "meth"        -> a top-level method
module Oracle
  module Starter
    module_function

    def call(label)
      if label.include?("#")
        klass, meth = label.split("#", 2)
        instance_starter(Oracle.strict_constant(klass), meth.to_sym)
      elsif label.include?(".")
        klass, _, meth = label.rpartition(".")
        invoke(Oracle.strict_constant(klass), Oracle.strict_constant(klass).method(meth.to_sym))
      else
        invoke(TOPLEVEL_BINDING.receiver, Object.instance_method(label.to_sym))
      end
    end

    def instance_starter(klass, meth)
      raise TypeError, "#{klass} is not a class" unless klass.is_a?(Class)

      invoke(receiver_for(klass), klass.instance_method(meth))
    end

    def receiver_for(klass)
      args, kwargs = arguments(klass.instance_method(:initialize))
      klass.new(*args, **kwargs)
    rescue StandardError
      klass.allocate
    end

    def invoke(receiver, method)
      args, kwargs = arguments(method)
      receiver.send(method.name, *args, **kwargs)
    end

    def arguments(method)
      params = method.parameters
      positional = params.count { |kind, _| %i[req opt].include?(kind) }
      keywords = params.select { |kind, _| kind == :keyreq }.to_h { |_, name| [name, Oracle.stand_in] }
      [Array.new(positional) { Oracle.stand_in }, keywords]
    end
  end
end
