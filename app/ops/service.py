"""What the ops page shows, read from where each fact lives: worker heartbeats from Redis (written by
``saekdam worker``), the queue depth from the job queue, failures from the tasks table."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from typing import Any

import msgspec

from app.ops.heartbeat import STALE_AFTER_S, WORKERS_KEY

RECENT_FAILURES = 20


class WorkerView(msgspec.Struct, kw_only=True):
    name: str
    host: str
    device: str
    state: str
    current_task: str | None
    started_at: datetime | None
    last_seen: datetime | None
    seconds_since_seen: float | None
    stale: bool
    jobs_done: int | None = None
    pid: int | None = None


class FailureView(msgspec.Struct, kw_only=True):
    task_id: str
    error_code: str | None
    error_detail: str | None
    worker: str | None
    attempts: int
    finished_at: datetime | None


class OpsSnapshot(msgspec.Struct, kw_only=True):
    mode: str  # "embedded" | "distributed"
    workers: list[WorkerView]
    queue_depth: int | None
    running: int
    failures: list[FailureView]
    taken_at: datetime


def _when(ts: float | None) -> datetime | None:
    return datetime.fromtimestamp(ts, tz=UTC) if ts else None


def decode_heartbeat(name: str, raw: bytes, now: float) -> WorkerView:
    """One ``saekdam:workers`` entry; an unreadable one still shows (flagged stale) rather than vanishing."""
    try:
        data: dict[str, Any] = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        data = {}
    last_seen = data.get("last_seen")
    age = now - float(last_seen) if isinstance(last_seen, (int, float)) else None
    return WorkerView(
        name=str(data.get("name") or name),
        host=str(data.get("host") or "?"),
        device=str(data.get("device") or "?"),
        state=str(data.get("state") or "unknown"),
        current_task=data.get("current_task"),
        started_at=_when(data.get("started_at")),
        last_seen=_when(last_seen),
        seconds_since_seen=None if age is None else round(age, 1),
        stale=age is None or age > STALE_AFTER_S,
        jobs_done=data.get("jobs_done"),
        pid=data.get("pid"),
    )


def painter_device(painter: Any) -> str:
    """The device the painter paints on, by name ("cuda:0 NVIDIA H200", "cpu"), not the setting ("auto")."""
    configured = str(getattr(painter.config, "device", "auto") or "auto")
    if configured != "auto":
        return configured
    from app.worker import describe_device

    return describe_device()


class OpsService:
    """Reads only; takes the process's ``Services`` (wiring) for the Redis client, queue and painter."""

    def __init__(self, services: Any) -> None:
        self.services = services

    async def workers(self) -> list[WorkerView]:
        now = time.time()
        s = self.services
        if s.redis is None:  # embedded: this process's own painter is the one worker
            return [await self._in_process_worker(now)] if s.painter is not None else []
        raw: dict[bytes, bytes] = await s.redis.hgetall(WORKERS_KEY)
        views = [decode_heartbeat(k.decode(errors="replace"), v, now) for k, v in raw.items()]
        return sorted(views, key=lambda w: (w.stale, w.name))

    async def _in_process_worker(self, now: float) -> WorkerView:
        s = self.services
        running = await s.tasks.running_on(s.name)
        state = s.painter.state
        return WorkerView(
            name=f"{s.name} (in-process)",
            host=socket.gethostname(),
            device=painter_device(s.painter),
            state="unavailable" if state == "unavailable" else ("busy" if s.painter.busy else state),
            current_task=running,
            started_at=None,
            last_seen=_when(now),
            seconds_since_seen=0.0,
            stale=False,
            jobs_done=await s.tasks.finished_by(s.name),
        )

    async def queue_depth(self) -> int | None:
        try:
            return int(await self.services.queue.depth())
        except Exception:  # the page still renders when Redis is down; the queue shows as unknown
            return None

    async def recent_failures(self, limit: int = RECENT_FAILURES) -> list[FailureView]:
        rows = await self.services.tasks.recent_failures(limit)
        return [
            FailureView(
                task_id=str(r.id),
                error_code=r.error_code,
                error_detail=r.error_detail,
                worker=r.worker,
                attempts=r.attempts,
                finished_at=r.finished_at,
            )
            for r in rows
        ]

    async def snapshot(self) -> OpsSnapshot:
        running = (await self.services.tasks.count_by_status())["running"]
        return OpsSnapshot(
            mode="embedded" if self.services.redis is None else "distributed",
            workers=await self.workers(),
            queue_depth=await self.queue_depth(),
            running=running,
            failures=await self.recent_failures(),
            taken_at=datetime.now(UTC),
        )
