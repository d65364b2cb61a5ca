"""The in-process event bus (embedded mode): the same numbering, history and fan-out rules as Redis.

Data goes through msgspec JSON here too, so subscribers see the same plain values (dicts, lists, str) as
with Redis and a value that cannot be encoded fails at publish time in tests, not in production.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec

from app.core.events import Event
from app.events.fanout import FanOut, encode_data, initial_id


class _Channel:
    __slots__ = ("floor", "history", "last_id", "touched")

    def __init__(self, first: int, history_size: int) -> None:
        self.last_id = first  # the counter: the next event gets last_id + 1
        self.floor = first  # events with id <= floor are not (or no longer) in the history
        self.history: deque[Event] = deque(maxlen=history_size)
        self.touched = time.monotonic()


class MemoryEventBus:
    """``EventBus`` for one process. Channels idle longer than ``history_ttl_s`` are forgotten."""

    def __init__(self, *, history_size: int = 500, history_ttl_s: float = 24 * 3600, max_queue: int = 1000) -> None:
        self._history_size = history_size
        self._ttl = history_ttl_s
        self._channels: dict[str, _Channel] = {}
        self._fanout = FanOut(max_queue)
        self._next_prune = time.monotonic() + 60

    def _channel(self, name: str) -> _Channel:
        self._prune()
        state = self._channels.get(name)
        if state is None:
            state = self._channels[name] = _Channel(initial_id(), self._history_size)
        state.touched = time.monotonic()
        return state

    def _prune(self) -> None:
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + 60
        for name in [n for n, c in self._channels.items() if now - c.touched > self._ttl]:
            del self._channels[name]

    async def publish(self, channel: str, event: str, data: Any) -> Event:
        plain = msgspec.json.decode(encode_data(data))
        state = self._channel(channel)
        state.last_id += 1
        if len(state.history) == state.history.maxlen:
            state.floor = state.history[0].id
        item = Event(channel=channel, id=state.last_id, event=event, data=plain)
        state.history.append(item)
        self._fanout.deliver(item)
        return item

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Event]]:
        sub = self._fanout.add(channel)
        try:
            yield sub
        finally:
            self._fanout.remove(sub)

    async def last_id(self, channel: str) -> int:
        """The latest event's id; a new channel gets its time-based starting point (never 0)."""
        return self._channel(channel).last_id

    async def history(self, channel: str, after_id: int) -> list[Event] | None:
        state = self._channels.get(channel)
        if state is None or not state.floor <= after_id <= state.last_id:
            return None
        return [e for e in state.history if e.id > after_id]

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._fanout.close_all()
