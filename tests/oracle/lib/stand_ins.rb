# frozen_string_literal: true

# Stand-ins: the fixture trees call ActiveRecord, Rails, HTTP clients and other
# things that do not exist here. Every unknown constant referenced from fixture
# code becomes a stand-in class, and every call on a stand-in answers another
# stand-in, so the Batch orchestration around those calls still runs.
#
# A stand-in is truthy, compares with == only by identity, iterates over TWO
# items (`each`, `find_each`, `map`, ...), yields its two items as ONE group to
# `each_slice`/`find_in_batches`/`in_batches`, calls any other block once and
# answers the block's value (a cache miss for `Rails.cache.fetch`, the body of a
# `transaction`), and converts to stable values: to_s "StandIn<n>", to_i/id n.
#
# A run whose stand-ins are falsy (request "stand_ins": "falsy") takes the other
# branch: a starter parameter given no value is nil instead of a stand-in, a
# predicate (`enabled?`, `present?`) asked of a stand-in answers false, and
# `blank?` true. Everything else still answers a stand-in, so the orchestration
# around those calls runs as before.
module Oracle
  # implicit conversions Ruby probes for; answering them with a stand-in would
  # break splats, block destructuring and keyword passing
  IMPLICIT = %i[to_ary to_hash to_proc to_io to_path to_int to_regexp to_sym to_open to_r to_c].freeze
  EACH_LIKE = %i[each find_each each_entry each_record].freeze
  GROUPED = %i[each_slice find_in_batches in_batches each_batch].freeze
  # class-level calls answering one record of the receiving model
  FINDERS = %i[
    find find_by find_by! first first! last last! take take! sole find_sole_by create create! build
    find_or_create_by find_or_create_by! find_or_initialize_by create_or_find_by create_or_find_by!
  ].freeze
  # class-level calls whose block is the code to run (other class-level blocks are DSL, never called)
  CLASS_BLOCK_ONCE = %i[transaction with_lock uncached cache connected_to no_touching unscoped].freeze

  @counter = 0
  @classes = {}

  class << self
    def next_number
      @counter += 1
    end

    # what a value nobody gave stands for in this run
    def unknown_value
      falsy_stand_ins? ? nil : stand_in
    end

    def falsy_stand_ins?
      engine&.falsy_stand_ins? || false
    end

    # a falsy run answers a predicate on a stand-in with false
    def falsy_answer?(name)
      falsy_stand_ins? && name.end_with?("?")
    end

    def stand_in(model = nil)
      StandInObject.new.tap { |s| s.instance_variable_set(:@oracle_model, model) }
    end

    def record_of(model)
      model.is_a?(Class) ? model.allocate : stand_in
    end

    # the stand-in class for an unknown constant; one per name
    def stand_in_class(label)
      @classes[label] ||= Class.new(StandInObject) do
        extend StandInClass
        @oracle_label = label
      end.tap { |klass| Unknown.const_set(label.gsub("::", "__"), klass) }
    end

    def call_block_once(block)
      wanted = block.arity >= 0 ? block.arity : -block.arity - 1
      block.call(*Array.new(wanted) { stand_in })
    end

    # what a stand-in instance answers to `name`
    def answer(recv, name, args, block)
      items = recv.oracle_items
      if EACH_LIKE.include?(name)
        return items.each unless block

        items.each(&block)
        recv
      elsif GROUPED.include?(name)
        return [items].each unless block

        block.call(items.dup)
        recv
      elsif name == :index_by && block
        items.to_h { |item| [block.call(item), item] }
      elsif block && Enumerable.method_defined?(name)
        items.public_send(name, *args, &block)
      elsif block
        call_block_once(block)
      elsif FINDERS.include?(name) && recv.oracle_model
        record_of(recv.oracle_model)
      elsif falsy_answer?(name)
        false
      else
        stand_in(recv.oracle_model)
      end
    end

    # what a stand-in class (or a fixture class inheriting one) answers to `name`
    def class_answer(klass, name, args, block)
      if FINDERS.include?(name)
        record_of(klass)
      elsif block && CLASS_BLOCK_ONCE.include?(name)
        call_block_once(block)
      elsif block && (EACH_LIKE + GROUPED).include?(name) || block && Enumerable.method_defined?(name)
        answer(stand_in(klass), name, args, block)
      elsif falsy_answer?(name)
        false
      else
        stand_in(klass)
      end
    end
  end

  # behaviour shared by generic stand-ins and instances of stand-in classes
  module StandIn
    def oracle_number
      @oracle_number ||= Oracle.next_number
    end

    def oracle_model
      @oracle_model
    end

    def oracle_items
      @oracle_items ||= [Oracle.record_of(oracle_model), Oracle.record_of(oracle_model)]
    end

    def to_s
      "StandIn#{oracle_number}"
    end
    alias to_str to_s
    alias inspect to_s

    def to_i
      oracle_number
    end
    alias id to_i

    def to_f
      oracle_number.to_f
    end

    def to_a
      oracle_items.dup
    end

    def to_h
      {}
    end

    def to_json(*args)
      to_s.to_json(*args)
    end

    def as_json(*)
      to_s
    end

    def present?
      !Oracle.falsy_stand_ins?
    end

    def blank?
      Oracle.falsy_stand_ins?
    end

    def freeze
      self
    end

    def coerce(_other)
      [Oracle.stand_in, self]
    end

    def <=>(other)
      return 0 if equal?(other)

      other.is_a?(StandIn) ? oracle_number <=> other.oracle_number : nil
    end

    # Ruby probes implicit conversions with respond_to?, so saying no is enough
    # to keep them off; an explicit call (`ExportCsv.new(x).to_io`) still answers
    def respond_to_missing?(name, _include_private = false)
      !IMPLICIT.include?(name)
    end

    def method_missing(name, *args, **_kwargs, &block)
      Oracle.answer(self, name, args, block)
    end
  end

  # holds the stand-in classes, so Ruby's own messages name them (Oracle::Unknown::Export)
  module Unknown; end

  class StandInObject
    include StandIn

    def initialize(*_args, **_kwargs, &_block); end
  end

  # class-level behaviour of stand-in classes, inherited by fixture classes
  # such as `class ApplicationRecord < ActiveRecord::Base`
  module StandInClass
    def name
      @oracle_label || super
    end

    def to_s
      name || super
    end
    alias inspect to_s

    def [](*_args)
      self
    end

    def respond_to_missing?(name, _include_private = false)
      !IMPLICIT.include?(name)
    end

    def method_missing(name, *args, **_kwargs, &block)
      Oracle.class_answer(self, name, args, block)
    end
  end
end
