"""Builds the services one process needs from the settings: the only place that picks implementations.

Embedded (no Redis): in-process queue and event bus, and the painter runs in this process.
Distributed: arq + Redis pub/sub; the API only enqueues, ``saekdam worker`` processes paint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import Any

from piccolo.engine.base import Engine

from app.accounts.oidc import OidcService
from app.accounts.reset import PasswordResets
from app.accounts.service import AccountService
from app.board.service import BoardService
from app.core import cpu, db
from app.core.events import EventBus
from app.core.queue import JobQueue
from app.core.ratelimit import RateLimiter
from app.core.settings import Settings
from app.core.storage import Storage
from app.mail import Outbound, create_mailer
from app.privacy.service import PrivacyService
from app.sheets.service import SheetService
from app.tasks.notify import CompletionMails
from app.tasks.service import TaskService
from app.tasks.wall import PainterSegmenter, Segmenter

log = logging.getLogger("saekdam.wiring")


def worker_name(explicit: str | None = None) -> str:
    return explicit or f"{socket.gethostname()}:{os.getpid()}"


class Services:
    """Long-lived collaborators of one process, started and closed together."""

    def __init__(self, settings: Settings, engine: Engine, *, role: str = "api", name: str | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.role = role  # "api" or "worker"
        self.name = worker_name(name)
        self.redis: Any = None
        self.painter: Any = None
        self.runner: Any = None
        self.limiter: RateLimiter
        self.accounts: AccountService
        self.outbound: Outbound
        self.resets: PasswordResets
        self.oidc: OidcService
        self.storage: Storage
        self.bus: EventBus
        self.queue: JobQueue
        self.tasks: TaskService
        self.board: BoardService
        self.privacy: PrivacyService
        self.sheets: SheetService
        self._background: list[asyncio.Task[None]] = []
        self._wall_segmenter: Segmenter | None = None  # set with the distributed queue

    @property
    def paints_here(self) -> bool:
        return self.role == "worker" or (self.settings.embedded and self.settings.run_painter_in_api)

    async def start(self) -> None:
        from app.events.factory import create_event_bus
        from app.storage.factory import open_storage

        s = self.settings
        cpu.configure(s.cpu_threads, s.cpu_nice)
        await db.start_pool(self.engine, s)
        if s.redis_url:
            from redis.asyncio import Redis

            from app.limits.redis import RedisRateLimiter
            from app.tasks.queue_arq import ArqQueue

            self.redis = Redis.from_url(s.redis_url)
            self.limiter = RedisRateLimiter(self.redis)
            self.queue = await ArqQueue.connect(s.redis_url, s.wall_timeout_s)
            self._wall_segmenter = self.queue.segment  # distributed: the wall job goes to a worker
        else:
            from app.limits.memory import MemoryRateLimiter
            from app.tasks.queue_memory import InProcessQueue

            self.limiter = MemoryRateLimiter()
            self.queue = InProcessQueue()
        self.storage = await open_storage(s)
        self.bus = create_event_bus(s)
        if hasattr(self.bus, "start"):
            await self.bus.start()
        self.accounts = AccountService(s, self.limiter, self.bus)
        self.outbound = Outbound(create_mailer(s))
        self.resets = PasswordResets(s, self.limiter, self.accounts, self.outbound)
        self.oidc = OidcService(s, self.accounts)
        self.tasks = TaskService(s, self.storage, self.bus, self.queue)
        self.tasks.on_finished = CompletionMails(s.base_url, self._contact, self.outbound.send_later).finished
        self.board = BoardService(s, self.storage, self.bus, self.limiter, self.tasks, self.accounts)
        self.privacy = PrivacyService(self.accounts, self.tasks, self.board, self.oidc)
        self.sheets = SheetService(s, self.storage, self.tasks)
        if self.paints_here:
            await self._start_painter()
        else:
            self.tasks.segmenter = self._wall_segmenter
        if self.role == "api":
            self._background.append(asyncio.create_task(self._housekeeping(), name="saekdam-housekeeping"))
            self._background.append(asyncio.create_task(self.board.watch(), name="saekdam-board-cache"))
            self._background.append(asyncio.create_task(self.accounts.watch(), name="saekdam-token-cache"))

    async def _contact(self, user_id: int) -> tuple[str, str] | None:
        """Where a user's completion mail goes: (email, nickname), or None without a real address."""
        from app.accounts.service import has_real_email
        from app.accounts.tables import User

        user = await User.objects().where(User.id == user_id).first()
        if user is None or not user.active or not has_real_email(user):
            return None
        return user.email, user.nickname

    async def _start_painter(self) -> None:
        from app.actors.painter.actor import Painter
        from app.actors.painter.config import painter_config_from_settings
        from app.tasks.jobs import PaintJobRunner

        s = self.settings
        config = painter_config_from_settings(s)
        self.painter = Painter(config)
        await self.painter.start()
        lora_dirs = [s.models_dir / "tiny" / "loras"] if config.tiny else [s.models_dir / "loras"]
        self.runner = PaintJobRunner(
            self.tasks, self.painter, self.storage, self.name, lora_dirs, s.var_dir / "cache" / "loras"
        )
        if self.role == "api":  # embedded: this process's queue feeds this process's painter
            self.queue.start(self.runner.run)  # type: ignore[attr-defined]  # embedded: the in-process queue, which has start()
            self.tasks.segmenter = PainterSegmenter(self.storage, self.painter)
            # the models load now, in the background: the first user's wall or mural does not pay for it
            self._background.append(asyncio.create_task(self._preload(), name="saekdam-painter-load"))

    async def _preload(self) -> None:
        try:
            await self.painter.load()
        except Exception as exc:  # the painter's state says "unavailable" with the reason; jobs fail visibly
            log.error("painter models could not load: %s", exc)

    async def _housekeeping(self) -> None:
        """Put orphaned tasks back in line at start, then sweep stale jobs and expired files now and then."""
        stale_after = self.settings.job_timeout_s + 30
        while True:
            try:
                await self.tasks.requeue_orphans(stale_after)
                await self.tasks.cleanup_expired()
                await self.tasks.sweep_orphans()
                await self.accounts.purge_expired_tokens()
                await self.resets.purge_expired()
            except Exception:
                log.exception("housekeeping failed")
            await asyncio.sleep(min(60, self.settings.orphan_sweep_interval_s))

    async def close(self) -> None:
        for task in self._background:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        for closer in (
            getattr(self, "outbound", None),
            getattr(self, "oidc", None),
            getattr(self, "sheets", None),
            getattr(self, "queue", None),
            self.painter,
            getattr(self, "bus", None),
            getattr(self, "storage", None),
        ):
            if closer is not None:
                with contextlib.suppress(Exception):
                    await closer.close()
        if self.redis is not None:
            await self.redis.aclose()
        await db.close_pool(self.engine)

    async def check_ready(self) -> dict[str, str]:
        probes: dict[str, Any] = {
            "database": lambda: db.ping(self.engine),
            "storage": self.storage.ping,
            "queue": self.queue.ping,
            "events": self.bus.ping,
        }
        checks: dict[str, str] = {}
        for name, probe in probes.items():
            try:
                await asyncio.wait_for(probe(), timeout=3)
                checks[name] = "ok"
            except Exception as exc:  # readiness reports, it never raises
                checks[name] = f"error: {type(exc).__name__}"
        if self.painter is not None:
            checks["painter"] = (
                self.painter.state if self.painter.state != "unavailable" else f"unavailable: {self.painter.reason}"
            )
        return checks
