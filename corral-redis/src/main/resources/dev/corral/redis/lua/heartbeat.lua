-- Publishes (or, with an empty text, removes) one worker's heartbeat, and forgets workers whose
-- heartbeat expired, by this server's clock.
-- KEYS[1] workers hash, KEYS[2] worker expiry sorted set. ARGV[1] worker id, ARGV[2] text, ARGV[3] ttl ms.
local now = nowMillis()
forgetStaleWorkers(KEYS[1], KEYS[2], now)
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], 'seen=' .. string.format('%.0f', now) .. '\n' .. ARGV[2])
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
end
return now
