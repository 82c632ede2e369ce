-- A consistent snapshot of one queue.
-- KEYS[1..10] streams, KEYS[11] delayed, KEYS[12] dead, KEYS[13] counters, KEYS[14] workers,
-- KEYS[15] worker expiry. ARGV[1] group.
-- Returns {now ms, ready per level, pending per level, delayed, dead, counters (flat), live workers (id, text)}.
local group = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ready, pending = {}, {}
for level = 0, 9 do
  local key = KEYS[level + 1]
  local r, p = 0, 0
  local gi = redis.pcall('XINFO', 'GROUPS', key)
  if type(gi) == 'table' and not gi.err then
    local len = redis.call('XLEN', key)
    local found = false
    for _, g in ipairs(gi) do
      local name, lag, pend = nil, nil, 0
      for j = 1, #g - 1, 2 do
        if g[j] == 'name' then name = g[j + 1]
        elseif g[j] == 'lag' then lag = g[j + 1]
        elseif g[j] == 'pending' then pend = g[j + 1] end
      end
      if name == group then
        found = true
        p = pend
        -- lag (entries not yet delivered to the group) is exact: nothing deletes entries from the
        -- queue streams one by one (settle.lua trims whole nodes of acknowledged entries below the
        -- oldest pending one), so Redis can always compute it. It is nil only for a stream changed
        -- by hand with XDEL; then XLEN - pending is the best guess (it counts acknowledged entries
        -- not trimmed yet as ready).
        if type(lag) == 'number' then r = lag else r = math.max(0, len - pend) end
      end
    end
    if not found then r = len end
  end
  ready[level + 1] = r
  pending[level + 1] = p
end
local delayed = redis.call('ZCARD', KEYS[11])
local dead = redis.call('XLEN', KEYS[12])
local counters = redis.call('HGETALL', KEYS[13])
local stale = redis.call('ZRANGEBYSCORE', KEYS[15], '-inf', now)
for _, id in ipairs(stale) do
  redis.call('HDEL', KEYS[14], id)
  redis.call('ZREM', KEYS[15], id)
end
local live = redis.call('ZRANGE', KEYS[15], 0, -1)
local workers = {}
for _, id in ipairs(live) do
  local text = redis.call('HGET', KEYS[14], id)
  if text then workers[#workers + 1] = id; workers[#workers + 1] = text end
end
return {now, ready, pending, delayed, dead, counters, workers}
