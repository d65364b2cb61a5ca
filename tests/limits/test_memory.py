"""The in-process rate limiter: sliding windows, and idle keys dropped so memory follows active clients."""

from __future__ import annotations

import pytest

from app.limits import memory
from app.limits.memory import MemoryRateLimiter


async def test_acquire_allows_the_limit_then_says_how_long_to_wait() -> None:
    limiter = MemoryRateLimiter()
    assert [await limiter.acquire("a", 2, 60) for _ in range(2)] == [None, None]
    wait = await limiter.acquire("a", 2, 60)
    assert wait is not None and 59 < wait <= 60
    assert await limiter.acquire("b", 2, 60) is None  # keys are independent


async def test_idle_keys_are_swept(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(memory.time, "monotonic", lambda: clock[0])
    limiter = MemoryRateLimiter()
    for i in range(500):
        await limiter.record(f"client-{i}", 10)
    await limiter.acquire("busy", 5, 3600)
    clock[0] += 11  # every client's window has passed; "busy" still counts within its hour
    for _ in range(memory.SWEEP_EVERY):
        await limiter.check("busy", 5, 3600)
    assert set(limiter._events) == {"busy"}
    assert await limiter.acquire("busy", 1, 3600) is not None  # its event was kept
