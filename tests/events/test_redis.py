"""Redis-only behaviour: one connection per process, outages, a killed listener, a restart mid-stream.

Outage tests use a private redis-server on its own port (tests/support/redis_server.py); the shared one
on 6379 is never stopped.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis.asyncio as aioredis

from app.core.events import Event
from app.events.errors import EventBusUnavailable
from app.events.redis import RedisEventBus
from app.events.sse import stream_channel
from tests.events.test_stream import FakeTask, drain, is_terminal, next_event, take
from tests.support.redis_server import RedisServer


async def clients_named(admin: aioredis.Redis, name: str) -> list[dict]:
    return [c for c in await admin.client_list() if c.get("name") == name]


async def test_subscribers_share_one_pubsub_connection(redis_url: str, redis_prefix: str) -> None:
    name = f"saekdam-conn-{uuid.uuid4().hex[:8]}"
    bus = RedisEventBus(redis_url, prefix=redis_prefix, client_name=name)
    admin = aioredis.Redis.from_url(redis_url)
    try:
        async with bus.subscribe("c") as first:
            await bus.publish("c", "x", 0)
            await asyncio.wait_for(anext(first), 5)
            baseline = await clients_named(admin, name)
            assert len(baseline) == 2  # the listener's pub/sub connection + one for commands

            contexts = [bus.subscribe(f"c{i % 5}") for i in range(100)]
            lives = [await c.__aenter__() for c in contexts]
            try:
                for i in range(5):
                    await bus.publish(f"c{i}", "x", i)
                for i, live in enumerate(lives):
                    assert (await asyncio.wait_for(anext(live), 5)).data == i % 5
                now = await clients_named(admin, name)
                assert len(now) == len(baseline)
                assert sum(1 for c in now if int(c.get("psub", 0)) > 0) == 1
            finally:
                for c in contexts:
                    await c.__aexit__(None, None, None)

            # 40 streams starting at once borrow from a bounded pool, never one connection each
            async def snapshot() -> tuple[str, dict]:
                return "task", {"status": "queued"}

            streams = [
                stream_channel(bus, f"task:{i}", last_event_id=None, snapshot=snapshot, is_terminal=is_terminal)
                for i in range(40)
            ]
            firsts = await asyncio.gather(*(anext(s) for s in streams))
            assert all(e is not None and e.event == "task" for e in firsts)
            assert len(await clients_named(admin, name)) <= 16
            for s in streams:
                await s.aclose()
    finally:
        await bus.close()
        await admin.aclose()


async def test_publish_during_an_outage_fails_fast_and_clearly(private_redis: RedisServer) -> None:
    bus = RedisEventBus(private_redis.url, retry_s=0.3)
    try:
        await bus.publish("c", "x", 1)
        private_redis.stop()
        started = time.monotonic()
        with pytest.raises(EventBusUnavailable) as caught:
            await bus.publish("c", "x", 2)
        assert time.monotonic() - started < 3
        assert caught.value.status == 503 and caught.value.code == "events_unavailable"
        with pytest.raises(EventBusUnavailable):
            await bus.history("c", 0)
        with pytest.raises(EventBusUnavailable):
            await bus.ping()
    finally:
        await bus.close()


async def test_a_killed_listener_reconnects_and_replays_what_was_missed(private_redis: RedisServer) -> None:
    bus = RedisEventBus(private_redis.url, reconnect_backoff_s=(0.02, 0.2))
    admin = private_redis.client()
    try:
        async with bus.subscribe("task:1") as live:
            first = await bus.publish("task:1", "progress", {"step": 0})
            assert await next_event(live) == first
            admin.client_kill_filter(_type="pubsub")
            published = [await bus.publish("task:1", "progress", {"step": i}) for i in range(1, 6)]
            assert [await next_event(live) for _ in range(5)] == published  # once each, in order
            later = await bus.publish("task:1", "progress", {"step": 6})
            assert await next_event(live) == later
    finally:
        admin.close()
        await bus.close()


async def test_a_stream_survives_a_redis_restart(private_redis: RedisServer) -> None:
    """Redis restarts empty mid-stream: the client still learns the final status, and ids keep rising."""
    options = {"retry_s": 5.0, "reconnect_backoff_s": (0.02, 0.2)}
    reader, writer = RedisEventBus(private_redis.url, **options), RedisEventBus(private_redis.url, **options)
    task = FakeTask(writer)
    stream = stream_channel(
        reader, task.channel, last_event_id=None, snapshot=task.snapshot, is_terminal=is_terminal, ping_interval_s=0.2
    )
    try:
        (snapshot,) = await take(stream, 1)
        p1 = await task.progress(1)
        assert await next_event(stream) == p1

        await asyncio.to_thread(private_redis.restart)  # SHUTDOWN NOSAVE, start again: all keys gone
        task.state["status"] = "succeeded"  # the database row first, then the event
        done = await writer.publish(task.channel, "status", {"status": "succeeded"})
        assert done.id > p1.id > snapshot.id

        rest = await drain(stream)
        assert is_terminal(rest[-1])
        ids = [snapshot.id, p1.id] + [e.id for e in rest]
        assert ids == sorted(set(ids))  # strictly increasing across the restart
    finally:
        await stream.aclose()
        await reader.close()
        await writer.close()


async def test_new_subscribers_after_a_restart_get_live_events(private_redis: RedisServer) -> None:
    bus = RedisEventBus(private_redis.url, retry_s=5.0, reconnect_backoff_s=(0.02, 0.2))
    try:
        before = await bus.publish("board", "post_created", {"id": "a"})
        await asyncio.to_thread(private_redis.restart)
        async with bus.subscribe("board") as live:
            after = await bus.publish("board", "post_created", {"id": "b"})
            received: Event = await next_event(live)
        assert received == after and after.id > before.id
    finally:
        await bus.close()
