"""In-process fan-out shared by both buses: one bounded queue per subscriber, dedupe by event id.

Delivery never blocks the publisher or the Redis listener: a full queue marks that subscription lagged
(its memory is freed) instead of growing or stalling everyone else.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

import msgspec

from app.core.events import Event
from app.events.errors import SubscriptionLagged

_data_encoder = msgspec.json.Encoder()


def initial_id() -> int:
    """A new channel's first counter value: microseconds since the epoch, so ids keep increasing even
    after the store forgot the channel (a Redis restart without persistence, or a process restart)."""
    return time.time_ns() // 1000


def encode_data(data: object) -> bytes:
    """msgspec JSON of an event's data (raises TypeError when the value cannot be encoded)."""
    return _data_encoder.encode(data)


class Subscription:
    """An async iterator of one channel's live events; raises SubscriptionLagged once it fell behind.

    Kept small and timer-free (one per open stream, 10,000 in a process): a waiting reader holds one bare
    future, and keep-alive pings come from one shared clock (``poke``) instead of a timeout per wait.
    """

    __slots__ = ("channel", "state", "_items", "_max_queue", "_waiter", "_lagged", "_closed", "_poked", "last_active")

    def __init__(self, channel: str, max_queue: int) -> None:
        self.channel = channel
        # Redis bus only: "pending" while subscribe() waits for the listener, then "attached" when it was
        # handed out with the listener connected, or "detached" when it was handed out during an outage
        self.state = "pending"
        self._items: deque[Event] = deque()
        self._max_queue = max_queue
        self._waiter: asyncio.Future[None] | None = None
        self._lagged = False
        self._closed = False
        self._poked = False
        self.last_active = 0.0  # time.monotonic() of the last item or ping handed out (see PingClock)

    @property
    def lagged(self) -> bool:
        return self._lagged

    def push(self, event: Event) -> None:
        if self._lagged or self._closed:
            return
        if len(self._items) >= self._max_queue:
            self.mark_lagged()
            return
        self._items.append(event)
        self._wake()

    def mark_lagged(self) -> None:
        self._lagged = True
        self._items.clear()
        self._wake()

    def close(self) -> None:
        self._closed = True
        self._wake()

    def poke(self) -> None:
        """Ask the reader for a keep-alive ping: ``next_or_ping`` returns None once (events go first)."""
        self._poked = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait(self) -> None:
        self._waiter = waiter = asyncio.get_running_loop().create_future()
        try:
            await waiter
        finally:
            self._waiter = None

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        while True:
            if self._lagged:
                raise SubscriptionLagged(self.channel)
            if self._items:
                return self._items.popleft()
            if self._closed:
                raise StopAsyncIteration
            await self._wait()

    async def next_or_ping(self) -> Event | None:
        """The next event, or None when ``poke`` asked for a ping meanwhile (cancel-safe like ``__anext__``)."""
        while True:
            if self._lagged:
                raise SubscriptionLagged(self.channel)
            if self._items:
                self._poked = False  # an event keeps the connection alive as well as a ping
                self.last_active = time.monotonic()
                return self._items.popleft()
            if self._poked:
                self._poked = False
                self.last_active = time.monotonic()
                return None
            if self._closed:
                raise StopAsyncIteration
            await self._wait()


class FanOut:
    """Local subscribers per channel and the highest id delivered on each (events at or below it are
    duplicates, e.g. replayed from history after a reconnect and also received live)."""

    def __init__(self, max_queue: int) -> None:
        self.max_queue = max_queue
        self._subs: dict[str, set[Subscription]] = {}
        self._last: dict[str, int] = {}

    def add(self, channel: str) -> Subscription:
        sub = Subscription(channel, self.max_queue)
        self._subs.setdefault(channel, set()).add(sub)
        return sub

    def remove(self, sub: Subscription) -> None:
        sub.close()
        subs = self._subs.get(sub.channel)
        if subs is None:
            return
        subs.discard(sub)
        if not subs:
            del self._subs[sub.channel]
            self._last.pop(sub.channel, None)

    def deliver(self, event: Event) -> None:
        subs = self._subs.get(event.channel)
        if not subs or event.id <= self._last.get(event.channel, 0):
            return
        self._last[event.channel] = event.id
        for sub in list(subs):
            sub.push(event)

    def channels(self) -> list[str]:
        return list(self._subs)

    def subscribers(self, channel: str) -> list[Subscription]:
        return list(self._subs.get(channel, ()))

    def last_delivered(self, channel: str) -> int | None:
        return self._last.get(channel)

    def mark_lagged(self, channel: str) -> None:
        for sub in list(self._subs.get(channel, ())):
            sub.mark_lagged()

    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subs.values())

    def close_all(self) -> None:
        for subs in list(self._subs.values()):
            for sub in list(subs):
                sub.close()
        self._subs.clear()
        self._last.clear()
