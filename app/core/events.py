"""The event bus interface: per-channel numbered events with a short replay history.

Channels are ``task:<id>`` for one task's progress and status, and ``board`` for the community board.
Every event gets an id that increases per channel, so SSE clients can resume with ``Last-Event-ID``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import msgspec


class Event(msgspec.Struct, kw_only=True):
    channel: str
    id: int
    event: str
    data: Any


class EventBus(Protocol):
    async def publish(self, channel: str, event: str, data: Any) -> Event:
        """Number the event (per channel), keep it in the channel's history and deliver it to subscribers."""
        ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[AsyncIterator[Event]]:
        """Live events of one channel from now on, for as long as the context is open."""
        ...

    async def last_id(self, channel: str) -> int:
        """The id of the channel's latest event (0 when none)."""
        ...

    async def history(self, channel: str, after_id: int) -> list[Event] | None:
        """Events with id > after_id, or None when the history no longer reaches back that far."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
