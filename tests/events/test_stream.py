"""``stream_channel``: snapshot or history first, then live events; resumable without loss or repeats."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from app.core.events import Event, EventBus
from app.events.sse import stream_channel
from tests.events.conftest import MakeBus

TERMINAL = {"succeeded", "failed", "canceled"}


class FakeTask:
    """Stands in for the tasks domain: a state (the database row) plus its events."""

    def __init__(self, bus: EventBus, channel: str = "task:t1") -> None:
        self.bus, self.channel = bus, channel
        self.state: dict[str, Any] = {"status": "queued", "step": 0}

    async def snapshot(self) -> tuple[str, Any]:
        return "task", dict(self.state)

    async def progress(self, step: int) -> Event:
        self.state["step"] = step
        return await self.bus.publish(self.channel, "progress", {"step": step})

    async def finish(self, status: str = "succeeded") -> Event:
        event = await self.bus.publish(self.channel, "status", {"status": status})
        self.state["status"] = status
        return event

    def stream(self, last_event_id: int | None = None, ping: float = 15.0) -> AsyncIterator[Event | None]:
        return stream_channel(
            self.bus,
            self.channel,
            last_event_id=last_event_id,
            snapshot=self.snapshot,
            is_terminal=is_terminal,
            ping_interval_s=ping,
        )


def is_terminal(event: Event) -> bool:
    return isinstance(event.data, dict) and event.data.get("status") in TERMINAL


async def take(stream: AsyncIterator[Event | None], n: int, timeout: float = 5.0) -> list[Event | None]:
    return [await asyncio.wait_for(anext(stream), timeout) for _ in range(n)]


async def next_event(stream: AsyncIterator[Event | None], timeout: float = 5.0) -> Event:
    """The next event, skipping pings."""
    async with asyncio.timeout(timeout):
        while (item := await anext(stream)) is None:
            pass
        return item


async def drain(stream: AsyncIterator[Event | None], timeout: float = 10.0) -> list[Event]:
    """Everything until the stream ends, pings left out."""
    async with asyncio.timeout(timeout):
        return [item async for item in stream if item is not None]


async def test_fresh_stream_snapshot_then_live_until_terminal(bus: EventBus) -> None:
    task = FakeTask(bus)
    await task.progress(1)
    stream = task.stream()
    (snapshot,) = await take(stream, 1)
    assert snapshot.event == "task" and snapshot.data == {"status": "queued", "step": 1}
    assert snapshot.id == await bus.last_id(task.channel)
    p2, done = await task.progress(2), await task.finish()
    assert await drain(stream) == [p2, done]


async def test_resume_without_loss_or_duplicates_while_publishing(make_bus: MakeBus) -> None:
    publisher_bus, reader_bus = make_bus(), make_bus()
    if make_bus.kind == "memory":
        reader_bus = publisher_bus  # memory buses are per process
    task = FakeTask(publisher_bus)
    reader = FakeTask(reader_bus)
    reader.snapshot = task.snapshot  # type: ignore[method-assign]
    for step in range(1, 4):
        await task.progress(step)

    first = reader.stream()
    (snapshot,) = await take(first, 1)
    published: list[Event] = []

    async def publish_all() -> None:
        for step in range(4, 40):
            published.append(await task.progress(step))
            await asyncio.sleep(0.001)
        published.append(await task.finish())

    publisher = asyncio.create_task(publish_all())
    seen = await take(first, 8)
    await first.aclose()  # the client drops the connection
    resumed = await drain(reader.stream(last_event_id=seen[-1].id))
    await publisher
    ids = [e.id for e in seen] + [e.id for e in resumed]
    assert ids == [e.id for e in published]  # every event once, in order
    assert all(e.id > snapshot.id for e in published)
    assert is_terminal(resumed[-1])


async def test_unknown_or_expired_id_gives_a_fresh_snapshot(make_bus: MakeBus) -> None:
    task = FakeTask(make_bus(history_size=3))
    old = await task.progress(1)
    for step in range(2, 8):
        await task.progress(step)
    for last_event_id in (old.id, 12345, 10**18):
        stream = task.stream(last_event_id=last_event_id)
        (snapshot,) = await take(stream, 1)
        assert snapshot.event == "task" and snapshot.data["step"] == 7
        assert snapshot.id == await task.bus.last_id(task.channel)
        await stream.aclose()


async def test_resume_after_the_end_gives_the_final_snapshot_and_ends(bus: EventBus) -> None:
    task = FakeTask(bus)
    await task.progress(1)
    done = await task.finish("failed")
    assert await drain(task.stream(last_event_id=done.id)) == [
        Event(channel=task.channel, id=done.id, event="task", data={"status": "failed", "step": 1})
    ]
    fresh = await drain(task.stream())
    assert len(fresh) == 1 and fresh[0].event == "task" and is_terminal(fresh[0])


async def test_resume_catches_up_through_the_terminal_event(bus: EventBus) -> None:
    task = FakeTask(bus)
    p1 = await task.progress(1)
    p2, done = await task.progress(2), await task.finish()
    assert await drain(task.stream(last_event_id=p1.id)) == [p2, done]


async def test_pings_during_silence(bus: EventBus) -> None:
    task = FakeTask(bus)
    stream = task.stream(ping=0.05)
    snapshot, ping1, ping2 = await take(stream, 3)
    assert snapshot is not None and ping1 is None and ping2 is None
    done = await task.finish()
    assert await drain(stream) == [done]


async def test_a_lagging_stream_resyncs_from_history(make_bus: MakeBus) -> None:
    task = FakeTask(make_bus(max_queue=2))
    stream = task.stream()
    await take(stream, 1)
    published = [await task.progress(step) for step in range(1, 11)]  # nobody reads: the queue overflows
    await asyncio.sleep(0.1)
    published.append(await task.finish())
    assert await drain(stream) == published


async def test_a_lagging_stream_beyond_history_gets_a_fresh_snapshot(make_bus: MakeBus) -> None:
    task = FakeTask(make_bus(max_queue=2, history_size=3))
    stream = task.stream()
    await take(stream, 1)
    for step in range(1, 11):
        await task.progress(step)
    await asyncio.sleep(0.1)
    (snapshot,) = await take(stream, 1)
    assert snapshot.event == "task" and snapshot.data["step"] == 10
    done = await task.finish()
    assert await drain(stream) == [done]


async def test_board_stream_without_snapshot_never_ends(bus: EventBus) -> None:
    async def no_snapshot() -> None:
        return None

    stream = stream_channel(
        bus, "board", last_event_id=None, snapshot=no_snapshot, is_terminal=lambda e: False, ping_interval_s=0.05
    )
    assert await take(stream, 1) == [None]  # live now: nothing to show yet, a ping
    created = await bus.publish("board", "post_created", {"id": "p1"})
    assert await next_event(stream) == created
    assert await take(stream, 1) == [None]
    await stream.aclose()
    resumed = stream_channel(
        bus, "board", last_event_id=created.id, snapshot=no_snapshot, is_terminal=lambda e: False, ping_interval_s=0.05
    )
    deleted = await bus.publish("board", "post_deleted", {"id": "p1"})
    assert await next_event(resumed) == deleted
    with contextlib.suppress(Exception):
        await resumed.aclose()
