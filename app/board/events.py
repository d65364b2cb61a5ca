"""The board's event channel: names, and one client's stream of it (JSON API and HTML pages share it).

Events on ``board``: ``post_created`` and ``post_updated`` (data = Post, ``liked_by_me`` false, author null
for anonymous posts), ``post_deleted`` (``{id}``), and for the pages ``comment_created`` (data = Comment)
and ``comment_deleted`` (``{id, post_id}``). The JSON stream sends only the three post events (api.md);
ids increase with gaps where comment events were skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from app.core.events import Event, EventBus
from app.events.sse import stream_channel

CHANNEL = "board"
POST_EVENTS = frozenset({"post_created", "post_updated", "post_deleted"})


class Ready:
    """Marker yielded once the stream is subscribed: nothing published after it can be missed."""


READY = Ready()


async def board_stream(
    bus: EventBus, last_event_id: int | None, names: frozenset[str] | None = None, ping_interval_s: float = 15.0
) -> AsyncIterator[Event | Ready | None]:
    """Live board events (resumed after ``last_event_id`` from the history when it reaches back).

    Yields READY right after subscribing (sent as an SSE comment), then events whose name is in
    ``names`` (all when None) and None for keep-alive pings. Never ends on its own.
    """
    subscribed = asyncio.Event()

    async def snapshot() -> None:  # stream_channel calls it right after subscribing: our cue
        subscribed.set()
        return None

    source = stream_channel(
        bus,
        CHANNEL,
        last_event_id=last_event_id,
        snapshot=snapshot,
        is_terminal=lambda event: False,
        ping_interval_s=ping_interval_s,
    )
    async with contextlib.aclosing(source) as items:
        first: asyncio.Future[Event | None] = asyncio.ensure_future(anext(items))
        waiter = asyncio.ensure_future(subscribed.wait())
        racing: set[asyncio.Future[Any]] = {first, waiter}
        try:
            await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
            if subscribed.is_set():
                yield READY
            item = await first
        except StopAsyncIteration:
            return
        finally:
            waiter.cancel()
            if not first.done():
                first.cancel()
                with contextlib.suppress(BaseException):
                    await first
        while True:
            if item is None or names is None or item.event in names:
                yield item
            try:
                item = await anext(items)
            except StopAsyncIteration:
                return
