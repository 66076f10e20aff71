# frozen_string_literal: true

module Batch2flow
  module Bridge
    # The bridge's state in Redis, as JSON: `b2f:key:<idempotency key>` names the job a key
    # pushed, `b2f:job:<jid>` holds that job's state. Both live 30 days from the push (a
    # state change keeps the expiry), so a key lives as long as its job's state.
    # Every change is a compare-and-set in Lua: two writers never both win.
    class Store
      TTL = 30 * 24 * 3600
      # KEYS: key record, job record. ARGV: the key record expected ("" for none), the new
      # key record, the job record, the expiry. Answers nil when set, else what is there.
      CLAIM = <<~LUA
        local current = redis.call('GET', KEYS[1]) or ''
        if current ~= ARGV[1] then return current end
        redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[4])
        redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
        return false
      LUA
      # KEYS: one record. ARGV: the value expected, the new value ("" deletes). 1 when set,
      # 0 when the value moved, -1 when there is none; the expiry is kept.
      SWAP = <<~LUA
        local current = redis.call('GET', KEYS[1])
        if not current then return -1 end
        if current ~= ARGV[1] then return 0 end
        if ARGV[2] == '' then redis.call('DEL', KEYS[1]) return 1 end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[2]) end
        return 1
      LUA
      ATTEMPTS = 20

      def self.key_name(key) = "b2f:key:#{key}"
      def self.job_name(jid) = "b2f:job:#{jid}"

      def key_record(key)
        RedisCalls.call("GET", self.class.key_name(key))
      end

      def job(jid)
        raw = RedisCalls.call("GET", self.class.job_name(jid))
        raw && JSON.parse(raw)
      end

      # Store `record` under `key` and the job's first state, if `key` still holds `expected`.
      def claim(key, expected, record, jid, state)
        args = [expected.to_s, record, JSON.generate(state), TTL]
        RedisCalls.eval(CLAIM, [self.class.key_name(key), self.class.job_name(jid)], args).nil?
      end

      # Undo a claim whose push failed: the key goes back to what it held before.
      def release(key, record, previous, jid)
        RedisCalls.eval(SWAP, [self.class.key_name(key)], [record, previous.to_s])
        RedisCalls.call("DEL", self.class.job_name(jid))
      end

      # Change a job's state: the block gets it and answers the new one, or nil to leave it.
      # Answers the state the job is in afterwards, nil when the job is unknown.
      def update(jid)
        name = self.class.job_name(jid)
        ATTEMPTS.times do
          raw = RedisCalls.call("GET", name)
          return nil if raw.nil?

          state = JSON.parse(raw)
          changed = yield(state.dup)
          return state if changed.nil?
          return changed if RedisCalls.eval(SWAP, [name], [raw, JSON.generate(changed)]) == 1
        end
        raise "batch2flow bridge: the state of job #{jid} kept changing under #{ATTEMPTS} writes"
      end
    end
  end
end
