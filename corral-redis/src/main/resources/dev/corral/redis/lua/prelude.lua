-- The queue scripts' shared helpers. QueueScripts puts this text before each script's own when it
-- loads them, so every script is still one source, loaded once and called by its SHA (a line
-- number in a script's error counts this prelude's lines too). Only local functions here: nothing
-- runs until a script calls it.

-- This server's clock in ms (TIME): the one clock that due times, expiries and dead-at read.
local function nowMillis()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The consumer group `group` of stream `key`, from XINFO GROUPS, as a table of its fields by name
-- ('last-delivered-id', 'pending', 'lag', ...). nil, false when the stream has no such group;
-- nil, true when there is no stream (XINFO fails).
local function groupInfo(key, group)
  local gi = redis.pcall('XINFO', 'GROUPS', key)
  if type(gi) ~= 'table' or gi.err then return nil, true end
  for _, g in ipairs(gi) do
    local fields = {}
    for j = 1, #g - 1, 2 do fields[g[j]] = g[j + 1] end
    if fields['name'] == group then return fields end
  end
  return nil, false
end

-- Whether `consumer` owns the pending entry `id` of stream `key` (XPENDING). pcall: after a
-- restart without persistence the group is gone, and nothing is owned.
local function ownedBy(key, group, id, consumer)
  local p = redis.pcall('XPENDING', key, group, id, id, 1)
  return type(p) == 'table' and not p.err and p[1] ~= nil and p[1][2] == consumer
end

-- The priority level (0..9) in an entry's flat field list (field 'r', else the fourth word of the
-- header 'h': id, max attempts, enqueue time, priority, type); 5 when absent or invalid.
local function levelOf(f)
  local level = 5
  for j = 1, #f - 1, 2 do
    if f[j] == 'r' then
      level = tonumber(f[j + 1]) or 5
      break
    elseif f[j] == 'h' then
      level = tonumber(string.match(f[j + 1], '^%S+ %S+ %S+ (%d+) ')) or 5
    end
  end
  if level < 0 or level > 9 then level = 5 end
  return level
end

-- A copy of a flat field list without the fields named in the set `drop`.
local function copyWithout(f, drop)
  local nf = {}
  for j = 1, #f - 1, 2 do
    if not drop[f[j]] then nf[#nf + 1] = f[j]; nf[#nf + 1] = f[j + 1] end
  end
  return nf
end

-- Forgets the workers whose heartbeat expired by `now`: the workers hash, the expiry sorted set.
local function forgetStaleWorkers(workers, expiry, now)
  local stale = redis.call('ZRANGEBYSCORE', expiry, '-inf', now)
  for _, id in ipairs(stale) do
    redis.call('HDEL', workers, id)
    redis.call('ZREM', expiry, id)
  end
end
