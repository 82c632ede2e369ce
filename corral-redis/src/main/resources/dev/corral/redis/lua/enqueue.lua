-- Adds tasks to a queue, checking each idempotency key in this same script, so that a retried
-- call can never add a task twice (the check and the add are one atomic step).
-- KEYS[1..10] streams p0..p9, KEYS[11] delayed, KEYS[12] dead, KEYS[13] counters,
-- KEYS[14] workers, KEYS[15] worker expiry, KEYS[16..] the idempotency keys, in entry order.
-- ARGV[1] idempotency TTL ms, ARGV[2] entry count, then 8 per entry:
--   id, type, payload, max attempts, priority, delay ms, idempotency key or '', trace context or ''
-- Returns {ids, duplicate flags}: a duplicate's id is the first task's id.
local now = nowMillis()
local nowText = string.format('%.0f', now)
local ttl = ARGV[1]
local n = tonumber(ARGV[2])
local ids, dups = {}, {}
local added = 0
local nextKey = 16
local a = 3
for i = 1, n do
  local id, typ, payload, maxA, prio = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local delay, ikey, trace = tonumber(ARGV[a + 5]), ARGV[a + 6], ARGV[a + 7]
  a = a + 8
  local existing = false
  if ikey ~= '' then
    local k = KEYS[nextKey]
    nextKey = nextKey + 1
    if not redis.call('SET', k, id, 'NX', 'PX', ttl) then
      existing = redis.call('GET', k)
    end
  end
  if existing then
    ids[i] = existing
    dups[i] = 1
  else
    -- One header field instead of five pairs: each pair costs the fetch script two strings to
    -- read into Lua and two to reply with, and the worker two to parse (EntryCodec). No 'a':
    -- a first attempt is attempt 1; a retry adds 'a'.
    local f = {'h', id .. ' ' .. maxA .. ' ' .. nowText .. ' ' .. prio .. ' ' .. typ, 'p', payload}
    if ikey ~= '' then f[#f + 1] = 'k'; f[#f + 1] = ikey end
    if trace ~= '' then f[#f + 1] = 'x'; f[#f + 1] = trace end
    if delay > 0 then
      local due = now + delay
      f[#f + 1] = 'd'; f[#f + 1] = string.format('%.0f', due)
      redis.call('ZADD', KEYS[11], due, cmsgpack.pack(f))
    else
      redis.call('XADD', KEYS[tonumber(prio) + 1], '*', unpack(f))
    end
    ids[i] = id
    dups[i] = 0
    added = added + 1
  end
end
if added > 0 then redis.call('HINCRBY', KEYS[13], 'enqueued', added) end
return {ids, dups}
