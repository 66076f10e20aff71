# frozen_string_literal: true

require "set"

# Unknown constants. Only code in a fixture file gets a stand-in for a constant
# it cannot find; Sidekiq, the oracle and the standard library keep raising
# NameError, so `Sidekiq::Client.push('class' => 'Nope')` still dies the way it
# would in production and a misspelt callback target is still an error.
module Oracle
  @fixture_files = Set.new

  class << self
    attr_reader :fixture_files

    def fixture_file?(path)
      return false if path.nil?

      @fixture_files.include?(path) || @fixture_files.include?(File.expand_path(path))
    end

    # a constant that must exist (starters, callback targets): never a stand-in
    def strict_constant(name)
      Object.const_get(name.to_s.delete_prefix("::"))
    end

    def const_stand_in(owner, name)
      return default_application_job if name == :ApplicationJob && owner == Object

      nested = owner.singleton_class.include?(StandInClass) && owner.name
      stand_in_class(nested ? "#{owner.name}::#{name}" : name.to_s)
    end

    # `ApplicationJob < ActiveJob::Base`, only when the fixture does not define it
    def default_application_job
      Object.const_set(:ApplicationJob, Class.new(ActiveJob::Base))
    end
  end

  module ConstMissing
    def const_missing(name)
      return super unless Oracle.fixture_file?(caller_locations(1, 1).first&.path)

      Oracle.const_stand_in(self, name)
    end
  end
end

Module.prepend(Oracle::ConstMissing)

module Kernel
  alias oracle_original_require require

  # a fixture requiring a gem that is not installed keeps loading
  def require(name)
    oracle_original_require(name)
  rescue LoadError
    raise unless Oracle.fixture_file?(caller_locations(1, 1).first&.path)

    false
  end
  private :require
end
