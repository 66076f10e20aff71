# frozen_string_literal: true

module Batch2flow
  module Bridge
    # Inside a recorded call, `Sidekiq::Batch` is the recorder's: `new`, `new(bid)`, `on`,
    # `jobs`, `description=`, `callback_queue=` and `bid` are recorded. Where Sidekiq Pro or
    # the sidekiq-batch gem defines Sidekiq::Batch, a prepended module does that only while
    # a recorder is active; outside, the real class behaves as before. With open-source
    # Sidekiq alone, a stand-in class is defined that works only inside a recorded call.
    module BatchPatch
      RECORDED = %i[bid description description= callback_queue callback_queue= on jobs parent_bid].freeze

      # Prepended to Sidekiq::Batch's singleton class.
      module ClassMethods
        def new(*args, &block)
          recorder = Recorder.current
          return super if recorder.nil?

          batch = allocate
          batch.instance_variable_set(:@batch2flow_recorded, recorder.new_batch(args.first, Sites.site(caller_locations)))
          batch
        end
      end

      # Prepended to Sidekiq::Batch: a recorded batch answers from the recorder.
      module InstanceMethods
        RECORDED.each do |name|
          define_method(name) do |*args, **kwargs, &block|
            recorded = @batch2flow_recorded
            return super(*args, **kwargs, &block) if recorded.nil?

            recorded.public_send(name, *args, **kwargs, &block)
          end
        end
      end

      # Sidekiq::Batch where no batch library is loaded.
      class StandIn
        def initialize(*)
          raise NotImplementedError, "Sidekiq::Batch is batch2flow's stand-in here (no Sidekiq Pro or " \
                                     "sidekiq-batch is loaded): it works only in code the bridge runs"
        end
      end

      module_function

      def apply!
        ::Sidekiq.const_set(:Batch, Class.new(StandIn)) unless ::Sidekiq.const_defined?(:Batch, false)
        batch = ::Sidekiq::Batch
        ::Sidekiq::Batch.const_set(:Status, Bridge::Status) unless batch.const_defined?(:Status, false)
        return if batch.ancestors.include?(InstanceMethods)

        batch.prepend(InstanceMethods)
        batch.singleton_class.prepend(ClassMethods)
      end
    end
  end
end
