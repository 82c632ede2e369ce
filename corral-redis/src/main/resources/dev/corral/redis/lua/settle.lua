-- Settles a batch of deliveries in one atomic step each:
--   'a' acknowledge: XACK (whoever owns it now: the work is done);
--   'r' retry: only if this consumer still owns it, XACK and re-add it to the delayed set
--       with attempt + 1 and the error, due at this server's TIME + the delay;
--   'd' dead-letter: only if still owned, XACK and XADD to the dead-letter stream with the
--       reason, the error, the time and the source id;
--   'h' hand back: only if still owned, XACK and XADD to the tail of its stream, unchanged.
-- A delivery this consumer no longer owns (reclaimed by another worker) is left to its new owner.
-- Acknowledged entries are not deleted one by one (XDEL marks each deleted inside its radix-tree
-- node and was the largest cost of a settle); instead every stream this batch touched is trimmed
-- (XTRIM MINID ~) up to its oldest entry still pending, or its group's last delivered entry when
-- none is pending: nothing older can be needed again, because every entry the group has not
-- delivered yet is newer than the last delivered one, and every pending one is kept. The '~' drops
-- whole nodes only, so a few acknowledged entries stay until the next trim.
-- KEYS[1..10] streams, KEYS[11] delayed, KEYS[12] dead, KEYS[13] counters.
-- ARGV[1] group, ARGV[2] consumer, ARGV[3] count of acknowledgements, ARGV[4] count of other
-- verdicts, then 2 per acknowledgement (level, entry id), then 6 per other verdict:
--   action, level, entry id, delay ms, reason, error
-- Returns {acked, retried, dead, handed back, not owned, positions not owned}: the last lists the
-- 1-based positions, among the non-acknowledgement verdicts, of those left to another owner.
local group, consumer = ARGV[1], ARGV[2]
local nAcks = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local now = nowMillis()
local nowText = string.format('%.0f', now)
local acks = {}
local touched = {}
local acked, retried, dead, handed, notOwned = 0, 0, 0, 0, 0
local skipped = {}

local a = 5
for i = 1, nAcks do
  local idx = tonumber(ARGV[a]) + 1
  local l = acks[idx]
  if not l then l = {}; acks[idx] = l end
  l[#l + 1] = ARGV[a + 1]
  a = a + 2
end
for i = 1, n do
  local action, level, id = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2]
  local delay, reason, err = tonumber(ARGV[a + 3]), ARGV[a + 4], ARGV[a + 5]
  a = a + 6
  local key = KEYS[level + 1]
  if ownedBy(key, group, id, consumer) then
    local e = redis.call('XRANGE', key, id, id)
    redis.call('XACK', key, group, id)
    touched[level + 1] = true
    local f = e[1] and e[1][2]
    if not f then
      notOwned = notOwned + 1
      skipped[#skipped + 1] = i
    elseif action == 'r' then
      local attempt = 1
      for j = 1, #f - 1, 2 do
        if f[j] == 'a' then attempt = tonumber(f[j + 1]) or 1 end
      end
      local due = now + delay
      local nf = copyWithout(f, {a = true, err = true, d = true})
      nf[#nf + 1] = 'a'; nf[#nf + 1] = tostring(attempt + 1)
      nf[#nf + 1] = 'err'; nf[#nf + 1] = err
      nf[#nf + 1] = 'd'; nf[#nf + 1] = string.format('%.0f', due)
      redis.call('ZADD', KEYS[11], due, cmsgpack.pack(nf))
      retried = retried + 1
    elseif action == 'd' then
      local nf = copyWithout(f, {})
      nf[#nf + 1] = 'dead-reason'; nf[#nf + 1] = reason
      nf[#nf + 1] = 'dead-error'; nf[#nf + 1] = err
      nf[#nf + 1] = 'dead-at'; nf[#nf + 1] = nowText
      nf[#nf + 1] = 'dead-from'; nf[#nf + 1] = id
      redis.call('XADD', KEYS[12], '*', unpack(nf))
      dead = dead + 1
    else
      redis.call('XADD', key, '*', unpack(f))
      handed = handed + 1
    end
  else
    notOwned = notOwned + 1
    skipped[#skipped + 1] = i
  end
end

for idx, ids in pairs(acks) do
  local n = redis.pcall('XACK', KEYS[idx], group, unpack(ids))
  if type(n) == 'number' then acked = acked + n end
  touched[idx] = true
end

for idx in pairs(touched) do
  local key = KEYS[idx]
  local p = redis.pcall('XPENDING', key, group)
  if type(p) == 'table' and not p.err then
    local minId = nil
    if p[1] > 0 then
      minId = p[2]
    else
      local g = groupInfo(key, group)
      if g then minId = g['last-delivered-id'] end
    end
    if minId then redis.call('XTRIM', key, 'MINID', '~', minId) end
  end
end
if acked > 0 then redis.call('HINCRBY', KEYS[13], 'processed', acked) end
if retried > 0 then redis.call('HINCRBY', KEYS[13], 'retried', retried) end
if dead > 0 then redis.call('HINCRBY', KEYS[13], 'dead', dead) end
if handed > 0 then redis.call('HINCRBY', KEYS[13], 'handedback', handed) end
return {acked, retried, dead, handed, notOwned, skipped}
