"""The resume algorithm of every event stream (task and board), written once, plus SSE framing.

Order matters: subscribe first, then catch up (history after ``Last-Event-ID``, or a snapshot numbered
with the channel's latest id), then go live while skipping ids already sent. Whatever is published
while we catch up is already queued on the subscription, so nothing is lost and nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec
from litestar.response import ServerSentEventMessage

from app.core.events import Event, EventBus
from app.events.errors import SubscriptionLagged
from app.events.fanout import Subscription
from app.events.pings import pinged
from app.metrics.registry import open_stream

Snapshot = Callable[[], Awaitable[tuple[str, Any] | None]]


def parse_last_event_id(value: str | None) -> int | None:
    """The ``Last-Event-ID`` header as an id; anything malformed counts as absent (fresh snapshot)."""
    if value is None:
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    return int(value)


def _plain(data: Any) -> Any:
    # snapshots pass through JSON like bus events, so is_terminal sees one shape (dicts, not Structs)
    return msgspec.json.decode(msgspec.json.encode(data))


async def _with_pings(events: AsyncIterator[Event], interval_s: float) -> AsyncGenerator[Event | None, None]:
    """Any other iterator: yield events as they come and None after each ``interval_s`` of silence.

    The buses' subscriptions are cancel-safe (an event leaves the queue only when returned), so waiting
    under a timeout costs no task per event, which matters with thousands of streams in one process.
    """
    iterator = aiter(events)
    while True:
        try:
            async with asyncio.timeout(interval_s):
                event = await anext(iterator)
        except TimeoutError:
            yield None
            continue
        except StopAsyncIteration:
            return
        yield event


async def stream_channel(
    bus: EventBus,
    channel: str,
    *,
    last_event_id: int | None,
    snapshot: Snapshot,
    is_terminal: Callable[[Event], bool],
    ping_interval_s: float = 15.0,
) -> AsyncGenerator[Event | None, None]:
    """Events of ``channel`` for one client, resumable by id; None means "send a keep-alive ping".

    ``snapshot()`` returns ``(event_name, data)`` for the current state, or None when there is nothing
    to show (e.g. the board); the stream then goes on with live events. It ends right after an event or
    snapshot for which ``is_terminal`` is true. A resumed stream whose channel already ended gets the
    terminal snapshot. Event data arrives as JSON values (dicts, lists, str, numbers).
    """
    with open_stream(channel):  # counted for /metrics while the client is here
        position = last_event_id  # the highest id the client holds
        resumed = last_event_id is not None
        while True:
            try:
                async with bus.subscribe(channel) as live:
                    backlog = None if position is None else await bus.history(channel, position)
                    if backlog is not None:
                        for event in backlog:
                            yield event
                            position = event.id
                            if is_terminal(event):
                                return
                    if backlog is None or resumed:
                        # no usable history, or a client resuming: it may have missed the end while away
                        latest = await bus.last_id(channel)
                        state = await snapshot()
                        if state is not None:
                            current = Event(channel=channel, id=latest, event=state[0], data=_plain(state[1]))
                            if is_terminal(current):
                                yield current
                                return
                            if backlog is None:
                                yield current
                        if backlog is None:
                            position = latest
                    resumed = False
                    if isinstance(live, Subscription):
                        # the buses' own subscriptions: no iterator layer and no timer per event (the hot
                        # path of a fan-out to thousands of streams); pings come from the shared clock
                        with pinged(live, ping_interval_s):
                            next_or_ping = live.next_or_ping
                            while True:
                                try:
                                    item = await next_or_ping()
                                except StopAsyncIteration:
                                    return
                                if item is None:
                                    yield None
                                elif position is None or item.id > position:
                                    yield item
                                    position = item.id
                                    if is_terminal(item):
                                        return
                    else:
                        async with contextlib.aclosing(_with_pings(live, ping_interval_s)) as items:
                            async for item in items:
                                if item is None:
                                    yield None
                                elif position is None or item.id > position:
                                    yield item
                                    position = item.id
                                    if is_terminal(item):
                                        return
                    return  # the bus closed the subscription
            except SubscriptionLagged:
                continue  # resubscribe, then catch up from `position` (history) or with a fresh snapshot


class _Frame(ServerSentEventMessage):
    """A frame encoded once: Litestar asks each stream to ``encode()`` it, and gets the same bytes."""

    def __init__(self, message: ServerSentEventMessage) -> None:
        super().__init__(data=message.data, event=message.event, id=message.id, comment=message.comment)
        self._bytes = message.encode()

    def encode(self) -> bytes:
        return self._bytes


_PING = _Frame(ServerSentEventMessage(comment="ping", data=None))

# One live event goes to every stream of its channel as the same object: frame it once, not once per
# client (5,000 streams on one process). Keyed by identity, holding the event so its id is not reused.
_FRAMES: OrderedDict[int, tuple[Event, _Frame]] = OrderedDict()
_FRAMES_MAX = 256


def to_sse_message(item: Event | None) -> ServerSentEventMessage:
    """An SSE frame: ``id``/``event``/``data`` (msgspec JSON) for an event, a comment ping for None."""
    if item is None:
        return _PING
    cached = _FRAMES.get(id(item))
    if cached is not None and cached[0] is item:
        return cached[1]
    frame = _Frame(ServerSentEventMessage(id=item.id, event=item.event, data=msgspec.json.encode(item.data).decode()))
    _FRAMES[id(item)] = (item, frame)
    if len(_FRAMES) > _FRAMES_MAX:
        _FRAMES.popitem(last=False)
    return frame


async def sse_messages(items: AsyncIterator[Event | None]) -> AsyncIterator[ServerSentEventMessage]:
    """``stream_channel(...)`` framed for ``litestar.response.ServerSentEvent``."""
    async with contextlib.aclosing(items) as source:  # type: ignore[type-var]  # async generators have aclose(); AsyncIterator does not declare it
        async for item in source:
            yield to_sse_message(item)
