"""Keep-alive pings for every idle stream of a process from ONE timer per event loop.

A timeout around each wait (``asyncio.timeout``) costs a timer-heap entry per stream per event: with
10,000 streams woken by one event that is 10,000 heap pushes and cancellations on the hot path. Here a
single ticker looks at each registered subscription a few times per ping interval and pokes the ones that
were idle for their interval; an event reaching a stream costs no timer at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import Iterator

from app.events.fanout import Subscription

MAX_TICK_S = 1.0  # pings are at most this late; intervals are seconds (15 s in production)


class PingClock:
    def __init__(self) -> None:
        self._subs: dict[Subscription, float] = {}
        self._tick = MAX_TICK_S
        self._task: asyncio.Task[None] | None = None

    def add(self, sub: Subscription, interval_s: float) -> None:
        sub.last_active = time.monotonic()
        self._subs[sub] = interval_s
        tick = min(MAX_TICK_S, interval_s / 4)
        if self._task is None or self._task.done() or tick < self._tick:
            if self._task is not None:
                self._task.cancel()  # a shorter interval than the ticker sleeps: start over at the new pace
            self._tick = tick
            self._task = asyncio.get_running_loop().create_task(self._run(), name="saekdam-stream-pings")

    def remove(self, sub: Subscription) -> None:
        self._subs.pop(sub, None)

    async def _run(self) -> None:
        while self._subs:
            await asyncio.sleep(self._tick)
            now = time.monotonic()
            shortest = MAX_TICK_S * 4
            for sub, interval in list(self._subs.items()):
                if now - sub.last_active >= interval:
                    sub.poke()
                shortest = min(shortest, interval)
            self._tick = min(MAX_TICK_S, shortest / 4)
        self._task = None


_CLOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, PingClock] = weakref.WeakKeyDictionary()


def ping_clock() -> PingClock:
    """This event loop's clock (each test or server process runs its own loop)."""
    loop = asyncio.get_running_loop()
    clock = _CLOCKS.get(loop)
    if clock is None:
        clock = _CLOCKS[loop] = PingClock()
    return clock


@contextlib.contextmanager
def pinged(sub: Subscription, interval_s: float) -> Iterator[Subscription]:
    """``sub`` gets poked after each ``interval_s`` of silence while inside the block."""
    clock = ping_clock()
    clock.add(sub, interval_s)
    try:
        yield sub
    finally:
        clock.remove(sub)
