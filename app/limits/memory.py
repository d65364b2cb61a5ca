"""In-process sliding windows (embedded mode: one process holds every counter).

Keys are client addresses and user ids, so they are many and mostly short-lived: every ``SWEEP_EVERY``
calls the keys whose last event left its window are dropped, and memory follows the active clients only.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

SWEEP_EVERY = 1024


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._events: dict[str, deque[float]] = {}
        self._windows: dict[str, float] = {}
        self._calls = 0
        self._lock = asyncio.Lock()

    def _window(self, key: str, window_s: float, now: float) -> deque[float]:
        self._calls += 1
        if self._calls % SWEEP_EVERY == 0:
            self._sweep(now)
        events = self._events.setdefault(key, deque())
        self._windows[key] = max(window_s, self._windows.get(key, 0.0))
        while events and events[0] <= now - window_s:
            events.popleft()
        return events

    def _sweep(self, now: float) -> None:
        idle = [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self._windows.get(k, 0.0)]
        for key in idle:
            del self._events[key]
            self._windows.pop(key, None)

    def _wait(self, events: deque[float], limit: int, window_s: float, now: float) -> float | None:
        if len(events) < limit:
            return None
        # the window frees up when the event that keeps it at the limit ages out
        return max(0.001, events[len(events) - limit] + window_s - now)

    async def check(self, key: str, limit: int, window_s: float) -> float | None:
        now = time.monotonic()
        async with self._lock:
            return self._wait(self._window(key, window_s, now), limit, window_s, now)

    async def record(self, key: str, window_s: float) -> None:
        now = time.monotonic()
        async with self._lock:
            self._window(key, window_s, now).append(now)

    async def acquire(self, key: str, limit: int, window_s: float) -> float | None:
        now = time.monotonic()
        async with self._lock:
            events = self._window(key, window_s, now)
            wait = self._wait(events, limit, window_s, now)
            if wait is None:
                events.append(now)
            return wait
