-- Renews the leases of a worker's in-flight deliveries in one call: XCLAIM ... JUSTID with
-- min-idle 0 resets an entry's idle time (so XAUTOCLAIM leaves it alone) without counting a
-- delivery. Only entries this consumer still owns are renewed: one that another worker reclaimed
-- is not taken back (that would run it a third time), it is reported lost.
-- KEYS[1..10] streams. ARGV[1] group, ARGV[2] consumer, ARGV[3] count, then level, id pairs.
-- Returns the lost ones, flat as level, id.
local group, consumer = ARGV[1], ARGV[2]
local n = tonumber(ARGV[3])
local mine, lost = {}, {}
local a = 4
for i = 1, n do
  local level, id = tonumber(ARGV[a]), ARGV[a + 1]
  a = a + 2
  if ownedBy(KEYS[level + 1], group, id, consumer) then
    local l = mine[level + 1]
    if not l then l = {}; mine[level + 1] = l end
    l[#l + 1] = id
  else
    lost[#lost + 1] = level; lost[#lost + 1] = id
  end
end
for idx, ids in pairs(mine) do
  ids[#ids + 1] = 'JUSTID'
  redis.call('XCLAIM', KEYS[idx], group, consumer, 0, unpack(ids))
end
return lost
