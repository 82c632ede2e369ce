-- A consistent snapshot of one queue.
-- KEYS[1..10] streams, KEYS[11] delayed, KEYS[12] dead, KEYS[13] counters, KEYS[14] workers,
-- KEYS[15] worker expiry. ARGV[1] group.
-- Returns {now ms, ready per level, pending per level, delayed, dead, counters (flat), live workers (id, text)}.
local group = ARGV[1]
local now = nowMillis()
local ready, pending = {}, {}
for level = 0, 9 do
  local key = KEYS[level + 1]
  local r, p = 0, 0
  local g, noStream = groupInfo(key, group)
  if not noStream then
    local len = redis.call('XLEN', key)
    if g then
      local lag, pend = g['lag'], g['pending'] or 0
      p = pend
      -- lag (entries not yet delivered to the group) is exact: nothing deletes entries from the
      -- queue streams one by one (settle.lua trims whole nodes of acknowledged entries below the
      -- oldest pending one), so Redis can always compute it. It is nil only for a stream changed
      -- by hand with XDEL; then XLEN - pending is the best guess (it counts acknowledged entries
      -- not trimmed yet as ready).
      if type(lag) == 'number' then r = lag else r = math.max(0, len - pend) end
    else
      r = len
    end
  end
  ready[level + 1] = r
  pending[level + 1] = p
end
local delayed = redis.call('ZCARD', KEYS[11])
local dead = redis.call('XLEN', KEYS[12])
local counters = redis.call('HGETALL', KEYS[13])
forgetStaleWorkers(KEYS[14], KEYS[15], now)
local live = redis.call('ZRANGE', KEYS[15], 0, -1)
local workers = {}
for _, id in ipairs(live) do
  local text = redis.call('HGET', KEYS[14], id)
  if text then workers[#workers + 1] = id; workers[#workers + 1] = text end
end
return {now, ready, pending, delayed, dead, counters, workers}
