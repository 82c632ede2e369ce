-- Moves dead letters back to their streams as fresh tasks (attempt 1, the dead-letter fields and
-- the last error dropped), each in one atomic step with its removal from the dead-letter stream.
-- KEYS[1..10] streams, KEYS[11] delayed, KEYS[12] dead, KEYS[13] counters.
-- ARGV[1] 'ids' or 'all', ARGV[2] limit (for 'all'), ARGV[3..] dead-letter ids (for 'ids').
-- Returns how many were moved.
local entries = {}
if ARGV[1] == 'all' then
  entries = redis.call('XRANGE', KEYS[12], '-', '+', 'COUNT', tonumber(ARGV[2]))
else
  for i = 3, #ARGV do
    local e = redis.call('XRANGE', KEYS[12], ARGV[i], ARGV[i])
    if e[1] then entries[#entries + 1] = e[1] end
  end
end
local drop = {a = true, err = true, d = true}
drop['dead-reason'] = true
drop['dead-error'] = true
drop['dead-at'] = true
drop['dead-from'] = true
local moved = 0
for _, e in ipairs(entries) do
  local f = e[2]
  local level = levelOf(f)
  local nf = copyWithout(f, drop)
  nf[#nf + 1] = 'a'; nf[#nf + 1] = '1'
  redis.call('XADD', KEYS[level + 1], '*', unpack(nf))
  redis.call('XDEL', KEYS[12], e[1])
  moved = moved + 1
end
if moved > 0 then redis.call('HINCRBY', KEYS[13], 'redriven', moved) end
return moved
