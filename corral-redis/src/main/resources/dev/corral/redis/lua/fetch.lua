-- One worker fetch, in one round trip and one atomic step:
--  1. moves due delayed tasks (scored by this server's TIME) to their streams;
--  2. if asked, reclaims entries idle longer than the visibility timeout from any consumer
--     (XAUTOCLAIM: a redelivery, its delivery count taken from XPENDING);
--  3. reads new entries, most urgent level first, never more than ARGV[3] in all (the worker's
--     free slots): XREADGROUP records this consumer as the owner in the same command that delivers.
-- KEYS[1..10] streams, KEYS[11] delayed, KEYS[12] dead, KEYS[13] counters, KEYS[14..15] unused here.
-- ARGV[1] group, ARGV[2] consumer, ARGV[3] count, ARGV[4] reclaim min idle ms (0 = no reclaim),
-- ARGV[5..14] XAUTOCLAIM cursors per level, ARGV[15] most delayed tasks to promote.
-- Returns {entries, cursors, wait ids, next due ms}: entries flat as level, id, fields, deliveries;
-- wait ids (only when nothing was found) are each group's last-delivered id, for an XREAD BLOCK that
-- wakes on the next new entry without consuming it; next due is ms until the first delayed task, or -1.
local group, consumer = ARGV[1], ARGV[2]
local want = tonumber(ARGV[3])
local minIdle = tonumber(ARGV[4])
local now = nowMillis()

local due = redis.call('ZRANGEBYSCORE', KEYS[11], '-inf', now, 'LIMIT', 0, tonumber(ARGV[15]))
for _, m in ipairs(due) do
  local ok, f = pcall(cmsgpack.unpack, m)
  if ok and type(f) == 'table' and #f >= 2 then
    redis.call('XADD', KEYS[levelOf(f) + 1], '*', unpack(f))
  else
    -- Unreadable: hand it to a worker, which dead-letters it as malformed.
    redis.call('XADD', KEYS[6], '*', 'corrupt-delayed', m)
  end
  redis.call('ZREM', KEYS[11], m)
end

local function ensureGroup(key)
  redis.pcall('XGROUP', 'CREATE', key, group, '0', 'MKSTREAM')
end

local out, cursors = {}, {}
local claimed = 0
for level = 0, 9 do
  cursors[level + 1] = ARGV[5 + level]
  if minIdle > 0 and want > 0 then
    local key = KEYS[level + 1]
    local r = redis.pcall('XAUTOCLAIM', key, group, consumer, minIdle, ARGV[5 + level], 'COUNT', want)
    if type(r) == 'table' and r.err then
      ensureGroup(key)
    elseif r then
      cursors[level + 1] = r[1]
      for _, e in ipairs(r[2]) do
        if type(e) == 'table' then
          local p = redis.call('XPENDING', key, group, e[1], e[1], 1)
          local deliveries = 1
          if p[1] then deliveries = p[1][4] end
          out[#out + 1] = level; out[#out + 1] = e[1]; out[#out + 1] = e[2]; out[#out + 1] = deliveries
          want = want - 1
          claimed = claimed + 1
        end
      end
    end
  end
end

for level = 0, 9 do
  if want <= 0 then break end
  local key = KEYS[level + 1]
  local r = redis.pcall('XREADGROUP', 'GROUP', group, consumer, 'COUNT', want, 'STREAMS', key, '>')
  if type(r) == 'table' and r.err then
    ensureGroup(key)
    r = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', want, 'STREAMS', key, '>')
  end
  if r then
    for _, e in ipairs(r[1][2]) do
      out[#out + 1] = level; out[#out + 1] = e[1]; out[#out + 1] = e[2]; out[#out + 1] = 1
      want = want - 1
    end
  end
end

local waitIds = {}
local nextDue = -1
-- Only when nothing was found: the worker waits only then, and these cost ten XINFO calls.
if #out == 0 then
  for level = 0, 9 do
    local g = groupInfo(KEYS[level + 1], group)
    waitIds[level + 1] = g and g['last-delivered-id'] or '0-0'
  end
  local first = redis.call('ZRANGE', KEYS[11], 0, 0, 'WITHSCORES')
  if first[2] then nextDue = math.max(0, tonumber(first[2]) - now) end
end
if claimed > 0 then redis.call('HINCRBY', KEYS[13], 'redelivered', claimed) end
return {out, cursors, waitIds, nextDue}
