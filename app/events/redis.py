"""The Redis event bus (distributed mode): numbered events, a capped history, and one listener.

Publishing runs one Lua script, so numbering, history and PUBLISH happen atomically and in id order.
Each process keeps ONE pub/sub connection (PSUBSCRIBE on the prefix) and fans events out to its local
subscribers in memory; streams never open their own Redis connections. When the connection drops, the
listener reconnects with backoff and replays what its subscribers missed from the history; where the
history cannot tell (Redis restarted empty), the subscribers are marked lagged and resync themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import msgspec
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.core.events import Event
from app.events.errors import EventBusUnavailable
from app.events.fanout import FanOut, encode_data, initial_id

log = logging.getLogger("saekdam.events")
T = TypeVar("T")

# KEYS: counter, floor, history. ARGV: initial id, payload tail, history size, ttl, pub/sub channel.
# The floor is the highest id no longer (or never) in the history: history(after_id) needs after_id >= floor.
_PUBLISH = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('SET', KEYS[2], ARGV[1])
elseif redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[2], redis.call('GET', KEYS[1]))
end
local id = string.format('%d', redis.call('INCR', KEYS[1]))
local payload = '{"id":' .. id .. ARGV[2]
local n = redis.call('RPUSH', KEYS[3], payload)
while n > tonumber(ARGV[3]) do
  redis.call('SET', KEYS[2], string.match(redis.call('LPOP', KEYS[3]), '^{"id":(%d+)'))
  n = n - 1
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
redis.call('PUBLISH', ARGV[5], payload)
return id
"""

# KEYS: counter, floor. ARGV: initial id, ttl. Starts a channel's numbering if needed; returns the counter.
_TOUCH = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
  return ARGV[1]
end
return redis.call('GET', KEYS[1])
"""

_TRANSIENT = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisEventBus:
    """``EventBus`` on Redis. Start is lazy (first subscribe); ``close()`` stops the listener."""

    def __init__(
        self,
        redis_url: str,
        *,
        prefix: str = "saekdam:events:",
        history_size: int = 500,
        history_ttl_s: int = 24 * 3600,
        max_queue: int = 1000,
        retry_s: float = 2.0,
        connect_wait_s: float = 2.0,
        reconnect_backoff_s: tuple[float, float] = (0.05, 2.0),
        client_name: str = "saekdam-events",
        max_connections: int = 16,
    ) -> None:
        # a bounded pool: a burst of streams waits for a connection instead of opening one each;
        # the listener holds one of them for its pub/sub
        pool = BlockingConnectionPool.from_url(
            redis_url,
            max_connections=max_connections,
            timeout=5,
            client_name=client_name,
            socket_connect_timeout=2,
            socket_timeout=5,
            socket_keepalive=True,
            health_check_interval=15,
        )
        self._redis = Redis.from_pool(pool)
        self._prefix = prefix
        self._channel_prefix = prefix + "ch:"
        self._pattern = re.sub(r"([\\*?\[\]])", r"\\\1", self._channel_prefix) + "*"
        self._history_size = history_size
        self._ttl = history_ttl_s
        self._retry_s = retry_s
        self._connect_wait_s = connect_wait_s
        self._backoff = reconnect_backoff_s
        self._publish_script = self._redis.register_script(_PUBLISH)
        self._touch_script = self._redis.register_script(_TOUCH)
        self._decoder = msgspec.json.Decoder(Event)
        self._fanout = FanOut(max_queue)
        self._connected = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None
        self._closing = False

    # keys ------------------------------------------------------------------------------------------------
    def _keys(self, channel: str) -> list[str]:
        base = f"{self._prefix}{{{channel}}}"  # one hash slot per channel (Redis Cluster friendly)
        return [f"{base}:n", f"{base}:floor", f"{base}:h"]

    # commands (retried briefly, then EventBusUnavailable) ------------------------------------------------
    async def _call(self, what: str, fn: Callable[[], Awaitable[T]]) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._retry_s
        delay = 0.05
        while True:
            try:
                return await fn()
            except _TRANSIENT as exc:
                if loop.time() + delay >= deadline:
                    raise EventBusUnavailable(detail=f"event bus: {what} failed, Redis unreachable: {exc}") from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)

    async def publish(self, channel: str, event: str, data: Any) -> Event:
        """Number, store and broadcast one event; raises EventBusUnavailable when Redis stays away."""
        data_json = encode_data(data)
        # the script puts '{"id":N' in front: the envelope is built once, here, not in Lua
        tail = b"".join(
            (b',"channel":', encode_data(channel), b',"event":', encode_data(event), b',"data":', data_json, b"}")
        )
        keys = self._keys(channel)
        args: list[bytes | str | int] = [
            initial_id(),
            tail,
            self._history_size,
            self._ttl,
            self._channel_prefix + channel,
        ]
        raw = await self._call("publish", lambda: self._publish_script(keys=keys, args=args))
        return Event(channel=channel, id=int(raw), event=event, data=msgspec.json.decode(data_json))

    async def last_id(self, channel: str) -> int:
        """The latest event's id; a new channel gets its time-based starting point (never 0)."""
        keys = self._keys(channel)[:2]
        raw = await self._call("last_id", lambda: self._touch_script(keys=keys, args=[initial_id(), self._ttl]))
        return int(raw)

    async def history(self, channel: str, after_id: int) -> list[Event] | None:
        return await self._call("history", lambda: self._history_once(channel, after_id))

    async def _history_once(self, channel: str, after_id: int) -> list[Event] | None:
        counter_key, floor_key, history_key = self._keys(channel)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(counter_key)
            pipe.get(floor_key)
            pipe.lrange(history_key, 0, -1)
            counter, floor, items = await pipe.execute()
        if counter is None or floor is None or not int(floor) <= after_id <= int(counter):
            return None
        events = [self._decoder.decode(raw) for raw in items]
        return [e for e in events if e.id > after_id]

    async def ping(self) -> None:
        try:
            await self._redis.ping()
        except RedisError as exc:
            raise EventBusUnavailable(detail=f"event bus: Redis unreachable: {exc}") from exc

    # subscriptions ---------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the listener and wait (up to ``connect_wait_s``) until it listens; optional."""
        self._ensure_listener()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._connected.wait(), self._connect_wait_s)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Event]]:
        sub = self._fanout.add(channel)
        try:
            await self.start()
            sub.state = "attached" if self._connected.is_set() else "detached"
            yield sub
        finally:
            self._fanout.remove(sub)

    def _ensure_listener(self) -> None:
        if self._closing:
            raise RuntimeError("the event bus is closed")
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen(), name="saekdam-events-listener")

    async def _listen(self) -> None:
        backoff = self._backoff[0]
        while not self._closing:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(self._pattern)
                await self._confirmed(pubsub)
                await self._resync()
                self._connected.set()
                backoff = self._backoff[0]
                log.info("event listener subscribed to %s", self._pattern)
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None and message.get("type") == "pmessage":
                        self._on_message(message["channel"], message["data"])
            except (RedisError, OSError) as exc:
                if self._connected.is_set():
                    log.warning("event listener lost Redis (%s); reconnecting", exc)
                self._connected.clear()
            except Exception:  # a bug must not silence every stream of this process: log, reconnect
                log.exception("event listener failed; reconnecting")
                self._connected.clear()
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            if not self._closing:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._backoff[1])

    async def _confirmed(self, pubsub: Any) -> None:
        """PSUBSCRIBE is only in force once Redis confirms it; until then events could slip past."""
        for _ in range(10):
            message = await pubsub.get_message(timeout=0.5)
            if message is not None and message.get("type") == "psubscribe":
                return
        raise RedisTimeoutError("PSUBSCRIBE was not confirmed")

    async def _resync(self) -> None:
        """After (re)connecting: replay missed events from history, or mark subscribers lagged."""
        for channel in self._fanout.channels():
            subs = [s for s in self._fanout.subscribers(channel) if s.state != "pending"]
            if not subs:
                continue
            last = self._fanout.last_delivered(channel)
            missed = None if last is None else await self._history_once(channel, last)
            for sub in subs:
                if missed is None or sub.state == "detached":
                    sub.mark_lagged()
            for event in missed or ():
                self._fanout.deliver(event)

    def _on_message(self, pubsub_channel: bytes, payload: bytes) -> None:
        # every process hears every channel: skip decoding what nobody here listens to
        channel = pubsub_channel.decode(errors="replace").removeprefix(self._channel_prefix)
        if not self._fanout.subscribers(channel):
            return
        try:
            event = self._decoder.decode(payload)
        except msgspec.DecodeError:
            log.error("event listener dropped an undecodable message: %.200r", payload)
            return
        self._fanout.deliver(event)

    async def close(self) -> None:
        self._closing = True
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        self._fanout.close_all()
        await self._redis.aclose()
