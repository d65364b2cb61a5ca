"""The distributed queue: arq on Redis. The job id is the task id, so a task is never queued twice."""

from __future__ import annotations

from arq.connections import ArqRedis, RedisSettings, create_pool

from app.actors.painter.errors import PaintError
from app.core.errors import Unavailable
from app.tasks.job_names import FIND_WALL, PAINT_TASK, QUEUE_NAME, WALL_QUEUE


def redis_settings(url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = 5
    settings.conn_retries = 10
    settings.conn_retry_delay = 1
    return settings


class ArqQueue:
    def __init__(self, pool: ArqRedis, wall_timeout_s: float = 30.0) -> None:
        self.pool = pool
        self.wall_timeout_s = wall_timeout_s

    @classmethod
    async def connect(cls, url: str, wall_timeout_s: float = 30.0) -> ArqQueue:
        return cls(await create_pool(redis_settings(url), default_queue_name=QUEUE_NAME), wall_timeout_s)

    async def enqueue(self, task_id: str) -> bool:
        job = await self.pool.enqueue_job(PAINT_TASK, task_id, _job_id=task_id, _queue_name=QUEUE_NAME)
        return job is not None

    async def segment(self, key: str, content_type: str) -> bytes:
        """Find the wall on a worker (the API process holds no models) and wait for the mask: the job names
        the photo's storage key (no bytes through Redis) and goes on the wall queue, which every worker
        serves beside its paint job. No answer within ``wall_timeout_s``: 503 ``unavailable``."""
        job = await self.pool.enqueue_job(
            FIND_WALL, key, content_type, _queue_name=WALL_QUEUE, _expires=self.wall_timeout_s
        )
        if job is None:
            raise RuntimeError("find_wall job was not queued")
        try:
            outcome = await job.result(timeout=self.wall_timeout_s, poll_delay=0.05)
        except TimeoutError:  # the job expires unstarted (``_expires``): nothing paints a stale overlay later
            raise Unavailable(headers={"Retry-After": "10"}) from None
        if "error" in outcome:
            raise PaintError(outcome["error"], outcome.get("message", ""))
        return outcome["mask"]

    async def position(self, task_id: str) -> int | None:
        rank = await self.pool.zrank(QUEUE_NAME, task_id)
        return None if rank is None else int(rank)

    async def depth(self) -> int:
        return int(await self.pool.zcard(QUEUE_NAME))

    async def remove(self, task_id: str) -> None:
        """Nothing to do: a canceled task's job finds it canceled and returns at once."""

    async def ping(self) -> None:
        await self.pool.ping()

    async def close(self) -> None:
        await self.pool.aclose()
