"""In-process sliding windows (embedded mode: one process holds every counter)."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._events: dict[str, deque[float]] = {}
        self._lock = asyncio.Lock()

    def _window(self, key: str, window_s: float, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - window_s:
            events.popleft()
        return events

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

    async def reset(self, key: str) -> None:
        async with self._lock:
            self._events.pop(key, None)
