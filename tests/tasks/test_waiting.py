"""tasks.waiting without a server: one queue broadcast reaches every waiting stream, each works out its own
place in the line, and a stream whose task left the line or whose place did not change says nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.events import Event
from app.events.memory import MemoryEventBus
from app.tasks.waiting import QUEUE_CHANNEL, QUEUE_EVENT, Line, with_queue_moves

T0 = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def line_of(ids: list[str], running: int = 1, mean_s: float | None = 10.0) -> Line:
    return Line.of([(T0 + timedelta(seconds=int(tid[1:])), tid) for tid in ids], running, mean_s)


def test_line_position_and_eta() -> None:
    line = line_of(["t7", "t3", "t5"])  # oldest first, whatever order the rows came in
    assert [line.position(t) for t in ("t3", "t5", "t7")] == [0, 1, 2]
    assert line.position("t9") is None  # not waiting any more
    assert line.eta(2) == 30.0  # (2 ahead + 1 painting) × 10 s, as TaskService.eta
    assert line_of(["t1"], mean_s=None).eta(0) is None


class FakeView:
    """The process's view of the line, set by the test."""

    def __init__(self) -> None:
        self.current = Line()

    async def line(self, version: int) -> Line:
        return self.current


class FakeTasks:
    def __init__(self, bus: MemoryEventBus) -> None:
        self.bus = bus
        self.queue_view = FakeView()


async def own_events(task_id: str, position: int, done: asyncio.Event) -> AsyncIterator[Event | None]:
    """A task channel that shows the task queued (like the snapshot), then stays open until ``done``."""
    yield Event(
        channel=f"task:{task_id}",
        id=100,
        event="task",
        data={
            "status": "queued",
            "queued_at": (T0 + timedelta(seconds=position)).isoformat(),
            "queue_position": position,
        },
    )
    await done.wait()


async def test_one_broadcast_moves_every_waiting_stream() -> None:
    bus = MemoryEventBus()
    tasks: Any = FakeTasks(bus)
    ids = [f"t{i}" for i in range(50)]
    done = asyncio.Event()
    seen: dict[str, list[Event]] = {tid: [] for tid in ids}

    async def read(tid: str, position: int) -> None:
        async for item in with_queue_moves(tasks, tid, own_events(tid, position, done)):
            if item is not None:
                seen[tid].append(item)

    readers = [asyncio.create_task(read(tid, i)) for i, tid in enumerate(ids)]
    while bus._fanout.subscriber_count() < len(ids):  # every stream saw its task waiting and listens
        await asyncio.sleep(0.01)
    tasks.queue_view.current = line_of(ids[1:])  # the head started painting
    await bus.publish(QUEUE_CHANNEL, QUEUE_EVENT, {"task": ids[0], "status": "running"})
    for _ in range(200):
        if all(len(seen[tid]) == 2 for tid in ids[1:]):
            break
        await asyncio.sleep(0.01)
    done.set()
    await asyncio.gather(*readers)

    assert [e.event for e in seen[ids[0]]] == ["task"]  # it left the line: its own status event says so
    assert bus._fanout.subscriber_count() == 0  # streams that ended let go of the queue channel
    for i, tid in enumerate(ids[1:], start=1):
        moved = seen[tid][-1]
        assert moved.event == "progress" and moved.id == 100, moved  # the id of the task's latest event
        assert moved.data["queue_position"] == i - 1 and moved.data["eta_seconds"] == 10.0 * i
        assert {"step", "total", "fraction"} <= set(moved.data)
    await bus.close()


async def test_the_line_is_read_once_per_move_for_all_streams(monkeypatch: Any) -> None:
    """QueueView: many streams asking for the same move share one read (single flight); a later move reads anew."""
    from app.tasks.waiting import QueueView

    reads: list[int] = []

    async def load(self: QueueView, version: int) -> Line:
        reads.append(version)
        await asyncio.sleep(0.01)
        line = line_of(["t1", "t2"])
        self._version, self._line = version, line
        return line

    monkeypatch.setattr(QueueView, "_load", load)
    view = QueueView(tasks=None)  # type: ignore[arg-type]
    lines = await asyncio.gather(*(view.line(5) for _ in range(1000)))
    assert reads == [5] and all(line is lines[0] for line in lines)
    await view.line(4)  # an older move: the line already read is newer
    await view.line(6)
    assert reads == [5, 6]
