"""Sliding windows in Redis sorted sets, so every API process sees the same counts."""

from __future__ import annotations

import time
import uuid

from redis.asyncio import Redis

PREFIX = "saekdam:rl:"

# KEYS[1] = key; ARGV = now, window, limit, member, mode ("check" | "record" | "acquire")
_SCRIPT = """
local key, now, window = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local limit, member, mode = tonumber(ARGV[3]), ARGV[4], ARGV[5]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if mode ~= 'record' and count >= limit then
  local edge = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  return tostring(tonumber(edge[2]) + window - now)
end
if mode ~= 'check' then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
end
return false
"""


class RedisRateLimiter:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._script = redis.register_script(_SCRIPT)

    async def _run(self, key: str, limit: int, window_s: float, mode: str) -> float | None:
        wait = await self._script(keys=[PREFIX + key], args=[time.time(), window_s, limit, uuid.uuid4().hex, mode])
        return None if wait is None else max(0.001, float(wait))

    async def check(self, key: str, limit: int, window_s: float) -> float | None:
        return await self._run(key, limit, window_s, "check")

    async def record(self, key: str, window_s: float) -> None:
        await self._run(key, 0, window_s, "record")

    async def acquire(self, key: str, limit: int, window_s: float) -> float | None:
        return await self._run(key, limit, window_s, "acquire")
