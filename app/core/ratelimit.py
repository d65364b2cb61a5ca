"""The rate limiter interface: sliding-window counters shared by all API processes (Redis) or local."""

from __future__ import annotations

from typing import Protocol


class RateLimiter(Protocol):
    async def check(self, key: str, limit: int, window_s: float) -> float | None:
        """Seconds until ``key`` is under ``limit`` events per window again, or None when it is now."""
        ...

    async def record(self, key: str, window_s: float) -> None:
        """Count one event for ``key``."""
        ...

    async def acquire(self, key: str, limit: int, window_s: float) -> float | None:
        """Count one event if allowed (None), else return the seconds to wait and count nothing."""
        ...
