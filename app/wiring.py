"""Builds the services one process needs from the settings: the only place that picks implementations."""

from __future__ import annotations

import logging
from typing import Any

from piccolo.engine.base import Engine

from app.accounts.service import AccountService
from app.core import db
from app.core.ratelimit import RateLimiter
from app.core.settings import Settings

log = logging.getLogger("saekdam.wiring")


class Services:
    """Long-lived collaborators of one process, started and closed together."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.redis: Any = None
        self.limiter: RateLimiter
        self.accounts: AccountService

    async def start(self) -> None:
        s = self.settings
        await db.start_pool(self.engine, s)
        if s.redis_url:
            from redis.asyncio import Redis

            from app.limits.redis import RedisRateLimiter

            self.redis = Redis.from_url(s.redis_url)
            self.limiter = RedisRateLimiter(self.redis)
        else:
            from app.limits.memory import MemoryRateLimiter

            self.limiter = MemoryRateLimiter()
        self.accounts = AccountService(s, self.limiter)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await db.close_pool(self.engine)

    async def check_ready(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        for name, probe in (("database", lambda: db.ping(self.engine)),
                            ("redis", (lambda: self.redis.ping()) if self.redis is not None else None)):
            if probe is None:
                continue
            try:
                await probe()
                checks[name] = "ok"
            except Exception as exc:  # readiness reports, it never raises
                checks[name] = f"error: {type(exc).__name__}"
        return checks
