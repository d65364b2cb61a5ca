"""Live queue position and ETA for every waiting task, at the cost of one broadcast per queue change.

Whenever the queue moves (a task joins, starts, is canceled or deleted, or a painting ends), the service
publishes ONE ``queue`` event on the bus's ``queue`` channel, never one message per waiting task. Each API
process reads the waiting line once per such event (``QueueView``, one query shared by all its streams),
and each waiting task's stream looks up its own place in it (a dict) and sends the client a
``progress`` event (api.md's shape, plus ``queue_position``) when its position or the painters' count
changed. With 10,000 waiting streams that is one bus message and one query per change and process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.core.events import Event
from app.events.errors import SubscriptionLagged
from app.tasks.tables import Task as TaskRow

if TYPE_CHECKING:
    from app.tasks.service import TaskService

QUEUE_CHANNEL = "queue"
QUEUE_EVENT = "queue"


@dataclass(frozen=True)
class Line:
    """The waiting line at one moment: queued tasks oldest first, how many paint, the mean paint time."""

    places: dict[str, int] = field(default_factory=dict)  # task id → how many wait ahead of it
    running: int = 0
    mean_s: float | None = None

    @classmethod
    def of(cls, queued: list[tuple[datetime, str]], running: int, mean_s: float | None) -> Line:
        """From the queued tasks as (queued_at, id): built once per move, then each stream looks itself up."""
        return cls(places={tid: i for i, (_, tid) in enumerate(sorted(queued))}, running=running, mean_s=mean_s)

    def position(self, task_id: str) -> int | None:
        """How many wait ahead of the task; None when it no longer waits."""
        return self.places.get(task_id)

    def eta(self, position: int) -> float | None:
        """Same estimate as TaskService.eta for a queued task."""
        if self.mean_s is None:
            return None
        return round(self.mean_s * (position + max(1, self.running)), 1)


class QueueView:
    """One process's view of the waiting line, read at most once per queue event (single flight)."""

    def __init__(self, tasks: TaskService) -> None:
        self._tasks = tasks
        self._version = -1
        self._line = Line()
        self._loading: tuple[int, asyncio.Future[Line]] | None = None

    async def line(self, version: int) -> Line:
        """The line as of queue event ``version`` or later."""
        if version <= self._version:
            return self._line
        if self._loading is None or self._loading[0] < version:
            self._loading = (version, asyncio.ensure_future(self._load(version)))
        return await asyncio.shield(self._loading[1])

    async def _load(self, version: int) -> Line:
        rows = await (
            TaskRow.select(TaskRow.id, TaskRow.queued_at)
            .where((TaskRow.status == "queued") & TaskRow.queued_at.is_not_null())
            .order_by(TaskRow.queued_at)
        )
        running = int(await TaskRow.count().where(TaskRow.status == "running"))
        line = Line.of(
            [(_aware(r["queued_at"]), str(r["id"])) for r in rows], running, await self._tasks.mean_duration()
        )
        if version > self._version:
            self._version, self._line = version, line
        return line


def _aware(value: datetime | str) -> datetime:
    from app.web.times import as_datetime

    return as_datetime(value)


def _waiting(item: Event) -> tuple[datetime, int | None, int | None] | None:
    """(queued_at, queue_position, running) from a task snapshot or status event of a queued task."""
    data = item.data
    if item.event not in ("task", "status") or not isinstance(data, dict) or data.get("status") != "queued":
        return None
    if not data.get("queued_at"):
        return None
    return _aware(data["queued_at"]), data.get("queue_position"), None


async def with_queue_moves(
    tasks: TaskService, task_id: str, stream: AsyncIterator[Event | None]
) -> AsyncIterator[Event | None]:
    """The task's own events, plus a ``progress`` event with the new queue position and ETA whenever the
    queue moves while the task waits. Such an event carries the id of the task's latest event (it is a
    view of that state, like the snapshot), so a resume with ``Last-Event-ID`` loses and repeats nothing."""
    view = tasks.queue_view
    source = aiter(stream)
    next_item: asyncio.Future[Any] = asyncio.ensure_future(anext(source))
    next_move: asyncio.Future[Any] | None = None
    moves: AsyncIterator[Event] | None = None
    exits = contextlib.AsyncExitStack()
    waiting: tuple[datetime, int | None, int | None] | None = None  # (queued_at, position shown, painters)
    last_id = 0
    channel_name = f"task:{task_id}"
    try:
        while True:
            if waiting is not None and moves is None:
                moves = await exits.enter_async_context(tasks.bus.subscribe(QUEUE_CHANNEL))
            if waiting is None and moves is not None:
                if next_move is not None:
                    next_move.cancel()
                    next_move = None
                await exits.aclose()
                exits = contextlib.AsyncExitStack()
                moves = None
            if moves is not None and next_move is None:
                next_move = asyncio.ensure_future(anext(moves))
            pending = {next_item} if next_move is None else {next_item, next_move}
            done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if next_item in done:
                try:
                    item = next_item.result()
                except StopAsyncIteration:
                    return
                next_item = asyncio.ensure_future(anext(source))
                if item is not None:
                    last_id = item.id
                    if item.event in ("task", "status"):
                        waiting = _waiting(item)
                yield item
            if next_move is not None and next_move in done:
                try:
                    version = next_move.result().id
                except SubscriptionLagged:  # fell behind: read the line as it is now, subscribe again
                    version = await tasks.bus.last_id(QUEUE_CHANNEL)
                    await exits.aclose()
                    exits, moves = contextlib.AsyncExitStack(), None
                except StopAsyncIteration:
                    version, moves = None, None
                next_move = None
                if waiting is None or version is None:
                    continue
                line = await view.line(version)
                queued_at, shown, running = waiting
                position = line.position(task_id)
                if position is None:
                    continue  # it left the line: its own status event follows
                waiting = (queued_at, position, line.running)
                if position == shown and running in (None, line.running):
                    continue  # nothing it shows changed
                yield Event(
                    channel=channel_name,
                    id=last_id,
                    event="progress",
                    data={
                        "step": 0,
                        "total": 0,
                        "fraction": 0.0,
                        "eta_seconds": line.eta(position),
                        "queue_position": position,
                    },
                )
    finally:
        for future in (next_item, next_move):
            if future is not None and not future.done():
                future.cancel()
        await exits.aclose()
        with contextlib.suppress(Exception):
            await source.aclose()  # type: ignore[attr-defined]  # async generators have aclose(); AsyncIterator does not declare it
