"""``saekdam worker``: an arq worker that hosts the painter actor (distributed mode, one per GPU).

Reads top to bottom like arq's own examples: resources start in ``on_startup`` and live on ``ctx``;
the job is ``paint_task(ctx, task_id)`` whose job id is the task id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from typing import Any

import msgspec
from arq import cron
from arq.constants import in_progress_key_prefix
from arq.worker import Worker, func

from app.actors.painter.errors import PaintError
from app.core.settings import Settings, get_settings
from app.ops.heartbeat import HEARTBEAT_S, WORKERS_KEY, WorkerStatus
from app.tasks.job_names import FIND_WALL, PAINT_TASK, QUEUE_NAME, WALL_QUEUE
from app.tasks.queue_arq import redis_settings
from app.tasks.wall import PainterSegmenter
from app.web.logging import configure_logging

log = logging.getLogger("saekdam.worker")


def describe_device() -> str:
    try:
        import torch

        if torch.cuda.is_available():
            return f"cuda:{torch.cuda.current_device()} {torch.cuda.get_device_name()}"
    except Exception:  # the description is informational only
        pass
    return "cpu"


async def paint_task(ctx: dict[str, Any], task_id: str) -> str:
    ctx["status"].current_task = task_id
    try:
        return await ctx["runner"].run(task_id)
    finally:
        ctx["status"].current_task = None
        ctx["status"].jobs_done += 1


async def find_wall(ctx: dict[str, Any], key: str, content_type: str) -> dict[str, Any]:
    """Segmentation only, for the create page's overlay when the API process has no painter (app/tasks/wall.py).

    Returns plain data (no pickled exceptions) so the API can map the outcome itself.
    """
    services = ctx["services"]
    try:
        return {"mask": await PainterSegmenter(services.storage, services.painter)(key, content_type)}
    except PaintError as exc:
        return {"error": exc.code, "message": exc.message}


async def sweep(ctx: dict[str, Any]) -> None:
    """Periodic: stale running tasks retry or fail; expired files and orphaned objects go."""
    services = ctx["services"]
    await services.tasks.requeue_orphans(services.settings.job_timeout_s + 30)
    await services.tasks.cleanup_expired()
    await services.tasks.sweep_orphans()


async def _rescue(ctx: dict[str, Any]) -> None:
    """Jobs of dead workers are released at once instead of after arq's in-progress timeout.

    A task whose heartbeat stopped is given back to arq by deleting its in-progress key; the job is
    still in the queue, so the next free worker runs it again (the runner counts attempts and fails
    the task as ``worker_lost`` once they are used up).
    """
    services = ctx["services"]
    redis = ctx["redis"]
    timeout = services.settings.heartbeat_timeout_s
    while True:
        await asyncio.sleep(max(1.0, timeout / 4))
        try:
            for row in await services.tasks.stale_running(timeout):
                if await redis.delete(in_progress_key_prefix + str(row.id)):
                    log.warning("task %s: worker %s lost, job released for retry", row.id, row.worker)
        except Exception:
            log.exception("rescue sweep failed")


async def _beat(ctx: dict[str, Any]) -> None:
    status: WorkerStatus = ctx["status"]
    status.last_seen = time.time()
    await ctx["redis"].hset(WORKERS_KEY, status.name, msgspec.json.encode(status))


async def _heartbeat(ctx: dict[str, Any]) -> None:
    """Report every few seconds; a failed report (Redis busy or restarting) is logged, never the end of it:
    a worker that stopped reporting would look dead (or stuck "loading") on the ops page."""
    while True:
        try:
            await _beat(ctx)
        except Exception:
            log.warning("heartbeat not written", exc_info=True)
        await asyncio.sleep(HEARTBEAT_S)


async def startup(ctx: dict[str, Any]) -> None:
    import piccolo_conf
    from app.wiring import Services

    settings: Settings = ctx["settings"]
    services = Services(settings, piccolo_conf.DB, role="worker", name=ctx["worker_name"])
    await services.start()
    status = WorkerStatus(
        name=services.name,
        host=socket.gethostname(),
        pid=os.getpid(),
        device=describe_device(),
        state="loading",
        current_task=None,
        started_at=time.time(),
        last_seen=time.time(),
    )
    ctx.update(services=services, runner=services.runner, status=status)
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port)  # a busy port stops the worker: scrapes must not go blind
        log.info("metrics on :%d/metrics", settings.worker_metrics_port)
    ctx["heartbeat"] = asyncio.create_task(_heartbeat(ctx))
    ctx["rescue"] = asyncio.create_task(_rescue(ctx))
    # refuse jobs until the models are ready: arq starts polling only after on_startup returns
    try:
        await services.painter.load()
        started = time.monotonic()
        await services.painter.warm_up()
        log.info("painter warmed up in %.1f s", time.monotonic() - started)
        status.state = "ready"
        wall = build_wall_worker(ctx["settings"], services)
        ctx["wall_worker"], ctx["wall"] = wall, asyncio.create_task(wall.async_run(), name="saekdam-wall-queue")
    except Exception as exc:
        status.state = "unavailable"
        log.error("painter unavailable: %s", exc)
        raise
    finally:
        with contextlib.suppress(Exception):
            await _beat(ctx)  # admins see the new state now, not at the next beat
    log.info(
        "worker %s ready on %s (tiny models: %s)", services.name, status.device, services.painter.using_tiny_models
    )


async def shutdown(ctx: dict[str, Any]) -> None:
    if "status" in ctx:
        ctx["status"].state = "stopping"
        with contextlib.suppress(Exception):
            await ctx["redis"].hdel(WORKERS_KEY, ctx["status"].name)
    if "wall_worker" in ctx:
        with contextlib.suppress(Exception):
            await ctx["wall_worker"].close()
    for name in ("heartbeat", "rescue", "wall"):
        if name in ctx:
            ctx[name].cancel()
    if "services" in ctx:
        await ctx["services"].close()


def build_wall_worker(settings: Settings, services: Any) -> Worker:
    """The wall queue's consumer, run inside the paint worker's process beside its paint job: it shares the
    painter (segmentation runs off the paint thread), so an overlay waits for no mural."""
    return Worker(
        functions=[func(find_wall, name=FIND_WALL, timeout=60, max_tries=1, keep_result=60)],
        queue_name=WALL_QUEUE,
        redis_settings=redis_settings(settings.redis_url),
        max_jobs=2,
        poll_delay=settings.worker_poll_delay_s,
        handle_signals=False,
        ctx={"services": services},
    )


def build_worker(settings: Settings, name: str) -> Worker:
    return Worker(
        functions=[
            # arq's timeout is a backstop: the runner's own (job_timeout_s) ends the task as job_timeout first
            func(
                paint_task,
                name=PAINT_TASK,
                timeout=settings.job_timeout_s + 15,
                max_tries=settings.job_max_tries + 1,
                keep_result=60,
            ),
        ],
        cron_jobs=[cron(sweep, second={0}, run_at_startup=False, unique=True)],
        queue_name=QUEUE_NAME,
        redis_settings=redis_settings(settings.redis_url),
        on_startup=startup,
        on_shutdown=shutdown,
        max_jobs=1,  # one painter, one job at a time per GPU
        poll_delay=settings.worker_poll_delay_s,
        job_timeout=settings.job_timeout_s + 15,
        job_completion_wait=30,  # graceful shutdown: finish the current step... then let another worker retry
        health_check_key=f"saekdam:health:{name}",
        health_check_interval=10,
        ctx={"settings": settings, "worker_name": name},
    )


def run_worker(name: str | None = None) -> int:
    settings = get_settings()
    configure_logging(settings.debug)
    if not settings.redis_url:
        log.error("SAEKDAM_REDIS_URL is not set: in the embedded default the API process paints itself")
        return 2
    name = name or f"{socket.gethostname()}:{os.getpid()}"
    build_worker(settings, name).run()
    return 0
