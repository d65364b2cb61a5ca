"""The EventBus contract, identical for memory and Redis: numbering, history, fan-out, back-pressure."""

from __future__ import annotations

import asyncio
import time

import msgspec
import pytest

from app.core.events import Event, EventBus
from app.events.errors import SubscriptionLagged
from tests.events.conftest import MakeBus


async def next_event(subscription, timeout: float = 5.0) -> Event:
    return await asyncio.wait_for(anext(subscription), timeout)


async def test_ids_start_from_the_clock_and_increase_per_channel(bus: EventBus) -> None:
    before = time.time_ns() // 1000
    first = await bus.publish("task:a", "status", {"n": 0})
    after = time.time_ns() // 1000
    assert before < first.id <= after + 1
    ids = [first.id] + [(await bus.publish("task:a", "status", {"n": i})).id for i in range(1, 6)]
    assert ids == sorted(set(ids))
    other = await bus.publish("task:b", "status", {})
    assert other.id > 0 and other.channel == "task:b"
    assert await bus.last_id("task:a") == ids[-1]
    assert await bus.last_id("task:b") == other.id


async def test_last_id_of_a_new_channel_is_positive_and_below_its_first_event(bus: EventBus) -> None:
    start = await bus.last_id("board")
    assert start > 0
    event = await bus.publish("board", "post_created", {"id": "p1"})
    assert event.id > start
    assert await bus.history("board", start) == [event]  # a snapshot numbered `start` can resume


async def test_history_after_an_id(make_bus: MakeBus) -> None:
    bus = make_bus(history_size=5)
    events = [await bus.publish("c", "progress", {"step": i}) for i in range(8)]
    assert await bus.history("c", events[-1].id) == []
    assert await bus.history("c", events[4].id) == events[5:]
    assert await bus.history("c", events[2].id) == events[3:]  # exactly as far back as kept
    assert await bus.history("c", events[1].id) is None  # events[2] was dropped: cannot resume
    assert await bus.history("c", 0) is None
    assert await bus.history("c", events[-1].id + 1) is None  # an id from the future (another incarnation)
    assert await bus.history("never-used", 0) is None


async def test_events_carry_json_values(bus: EventBus) -> None:
    class Progress(msgspec.Struct):
        step: int
        total: int

    async with bus.subscribe("c") as live:
        published = await bus.publish("c", "progress", Progress(step=1, total=4))
        received = await next_event(live)
    assert published.data == received.data == {"step": 1, "total": 4}
    assert received == Event(channel="c", id=published.id, event="progress", data={"step": 1, "total": 4})
    with pytest.raises(TypeError):
        await bus.publish("c", "bad", object())


async def test_fan_out_to_many_subscribers_in_order(bus: EventBus) -> None:
    async with asyncio.timeout(10):
        subscriptions = [bus.subscribe("board") for _ in range(30)]
        lives = [await s.__aenter__() for s in subscriptions]
        try:
            published = [await bus.publish("board", "post_updated", {"i": i}) for i in range(20)]
            await bus.publish("elsewhere", "post_updated", {})
            for live in lives:
                assert [await next_event(live) for _ in range(20)] == published
        finally:
            for s in subscriptions:
                await s.__aexit__(None, None, None)


async def test_a_slow_subscriber_is_marked_lagged_not_buffered(make_bus: MakeBus) -> None:
    bus = make_bus(max_queue=3)
    async with bus.subscribe("c") as slow, bus.subscribe("c") as fast:
        got = []
        for i in range(10):
            await bus.publish("c", "progress", {"i": i})
            got.append(await next_event(fast))
        assert [e.data["i"] for e in got] == list(range(10))
        with pytest.raises(SubscriptionLagged):
            await next_event(slow)


async def test_subscription_ends_when_the_bus_closes(bus: EventBus) -> None:
    async with bus.subscribe("c") as live:
        waiter = asyncio.create_task(anext(live))
        await asyncio.sleep(0.05)
        await bus.close()
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(waiter, 5)
