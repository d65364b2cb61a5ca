"""Dispatch latency: submit → worker start, and progress publish → SSE client receive (issue 5).

    .venv/bin/python bench/dispatch.py [--jobs 200] [--baseline-jobs 60] [--events 200] [--quick]

Measured at the component level, never through the painter:

(a) submit → start: ``t0`` just before the API's enqueue call, ``t1`` as the first line of the job function.
    - embedded: ``InProcessQueue`` (app/tasks/queue_memory.py) with a handler that records ``t1``;
    - distributed: ``ArqQueue.enqueue`` (app/tasks/queue_arq.py) on a private redis-server and a real arq
      ``Worker`` process built like ``app/worker.py`` (max_jobs=1, poll_delay=settings.worker_poll_delay_s);
    - baseline: the same enqueue and a real arq ``Worker`` with arq's DEFAULT settings (poll_delay 0.5 s).
(b) publish → receive: ``t0`` just before ``bus.publish`` (carried in the event), ``t1`` when an SSE client
    reads the frame over real HTTP from a uvicorn process serving ``stream_channel`` + ``sse_messages``
    (what ``GET /api/tasks/{id}/events`` runs, without auth and DB):
    - embedded: ``MemoryEventBus`` inside the server (publish through a POST that stamps ``t0`` there);
    - distributed: ``RedisEventBus.publish`` from this process (as a worker does), the server's one
      pub/sub listener and ``FanOut`` (app/events/redis.py, fanout.py);
    - baseline: how a client learns news from arq with its defaults: ``Job.result()`` polling every 0.5 s,
      timed from the job function's return to the client seeing the result.
Each sample waits a random gap first, so submissions land at random phases of the pollers. Times come
from ``time.monotonic()``, which is one clock for every process on the host. Ratios are default / ours.
Goal: p50 ≤ 20 ms, p99 ≤ 100 ms, and ≥ 10× better than arq's defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    PY,
    Figure,
    Report,
    ServerProcess,
    free_port,
    header,
    median,
    pct,
    run,
    uvicorn_args,
)

P50_GOAL, P99_GOAL, RATIO_GOAL = 0.020, 0.100, 10.0


# ------------------------------------------------------------------------------------------- worker process


async def record_start(ctx: dict[str, Any], task_id: str) -> float:
    """The whole job: note when it started (the trivial stand-in for ``paint_task``)."""
    return time.monotonic()


def run_arq_worker(redis_url: str, flavour: str) -> None:
    """A real arq Worker: ``ours`` like app/worker.py builds it, ``default`` with arq's default settings."""
    from arq.worker import Worker, func

    from app.core.settings import Settings
    from app.tasks.job_names import PAINT_TASK, QUEUE_NAME
    from app.tasks.queue_arq import redis_settings

    functions = [func(record_start, name=PAINT_TASK)]
    if flavour == "ours":
        worker = Worker(
            functions=functions,
            queue_name=QUEUE_NAME,
            redis_settings=redis_settings(redis_url),
            max_jobs=1,
            poll_delay=Settings().worker_poll_delay_s,
            health_check_key="bench:health:ours",
        )
    else:
        worker = Worker(functions=functions, queue_name=QUEUE_NAME, redis_settings=redis_settings(redis_url))
    worker.run()


# ------------------------------------------------------------------------------------------- (a) submit → start


async def start_embedded(jobs: int, gap_s: float) -> list[float]:
    from app.tasks.queue_memory import InProcessQueue

    started: dict[str, float] = {}
    arrived = asyncio.Event()

    async def handler(task_id: str) -> None:
        started[task_id] = time.monotonic()
        arrived.set()

    queue = InProcessQueue()
    queue.start(handler)
    delays = []
    try:
        for i in range(jobs + 5):
            await asyncio.sleep(random.uniform(0, gap_s))
            arrived.clear()
            task_id = str(uuid.uuid4())
            t0 = time.monotonic()
            await queue.enqueue(task_id)
            await asyncio.wait_for(arrived.wait(), 10)
            if i >= 5:  # warm-up
                delays.append(started[task_id] - t0)
    finally:
        await queue.close()
    return delays


async def start_arq(
    redis_url: str, flavour: str, jobs: int, gap_s: float, result_poll_s: float
) -> tuple[list[float], list[float]]:
    """(submit → start, job end → client sees the result) per job, against a worker process."""
    from arq.jobs import Job

    from app.tasks.job_names import QUEUE_NAME
    from app.tasks.queue_arq import ArqQueue

    worker = ServerProcess(
        [PY, str(Path(__file__)), "--arq-worker", redis_url, flavour], port=0, name=f"arq-worker-{flavour}"
    )
    queue = await ArqQueue.connect(redis_url)
    starts, notices = [], []
    try:
        for i in range(jobs + 2):
            await asyncio.sleep(random.uniform(0, gap_s))
            task_id = str(uuid.uuid4())
            t0 = time.monotonic()
            assert await queue.enqueue(task_id)
            began = await Job(task_id, queue.pool, _queue_name=QUEUE_NAME).result(
                timeout=60 if i < 2 else 30, poll_delay=result_poll_s
            )
            seen = time.monotonic()
            if worker.proc.poll() is not None:
                raise RuntimeError(f"worker died:\n{worker.log()}")
            if i >= 2:  # the first jobs also wait for the worker process to start
                starts.append(began - t0)
                notices.append(seen - began)
    finally:
        await queue.close()
        worker.stop()
    return starts, notices


# ------------------------------------------------------------------------------------------- (b) publish → receive


async def _sse_reader(url: str, inbox: asyncio.Queue[tuple[float, dict[str, Any]]], ready: asyncio.Event) -> None:
    import httpx
    import msgspec

    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(60, read=None)) as http,
        http.stream("GET", url, headers={"accept": "text/event-stream"}) as response,
    ):
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                now = time.monotonic()
                if event == "task":
                    ready.set()
                elif event == "progress":
                    inbox.put_nowait((now, msgspec.json.decode(line[5:].strip())))


async def publish_receive(mode: str, events: int, gap_s: float, redis_url: str | None) -> list[float]:
    import httpx

    port = free_port()
    env = {"BENCH_REDIS_URL": redis_url or "", "BENCH_PREFIX": "bench:events:"}
    server = ServerProcess(
        uvicorn_args("bench._bare:stream_app", port, factory=True), env, port=port, name=f"stream-{mode}"
    ).wait_ready()
    channel = f"task:{uuid.uuid4()}"
    inbox: asyncio.Queue[tuple[float, dict[str, Any]]] = asyncio.Queue()
    ready = asyncio.Event()
    reader = asyncio.create_task(_sse_reader(f"{server.url}/events/{channel}", inbox, ready))
    bus: Any = None
    delays = []
    try:
        await asyncio.wait_for(ready.wait(), 30)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            if redis_url:
                from app.events.redis import RedisEventBus

                bus = RedisEventBus(redis_url, prefix="bench:events:")
            for k in range(events + 5):
                await asyncio.sleep(random.uniform(0, gap_s))
                if bus is not None:
                    await bus.publish(channel, "progress", {"step": k, "t": time.monotonic()})
                else:
                    r = await http.post(f"/publish/{channel}", json={"step": k})
                    r.raise_for_status()
                received, data = await asyncio.wait_for(inbox.get(), 30)
                assert data["step"] == k, data
                if k >= 5:
                    delays.append(received - data["t"])
    finally:
        reader.cancel()
        if bus is not None:
            await bus.close()
        server.stop()
    return delays


# ------------------------------------------------------------------------------------------- report


def describe(label: str, values: list[float]) -> str:
    return f"{label:<44} p50 {median(values) * 1000:7.1f} ms   p99 {pct(values, 99) * 1000:7.1f} ms   (n={len(values)})"


def compare(report: Report, what: str, ours: list[float], base: list[float], base_label: str) -> None:
    p50, p99, b50, b99 = median(ours), pct(ours, 99), median(base), pct(base, 99)
    r50, r99 = b50 / p50, b99 / p99
    report.add(
        Figure(
            f"{what} p50",
            round(p50 * 1000, 2),
            "ms",
            base_label,
            round(b50 * 1000, 1),
            round(r50, 1),
            "default/ours",
            f"≤ {P50_GOAL * 1000:.0f} ms, ≥ {RATIO_GOAL:.0f}× default",
            p50 <= P50_GOAL and r50 >= RATIO_GOAL,
        )
    )
    report.add(
        Figure(
            f"{what} p99",
            round(p99 * 1000, 2),
            "ms",
            base_label,
            round(b99 * 1000, 1),
            round(r99, 1),
            "default/ours",
            f"≤ {P99_GOAL * 1000:.0f} ms",
            p99 <= P99_GOAL,
        )
    )
    print(f"    → {what}: ratio default/ours p50 ×{r50:.1f}, p99 ×{r99:.1f}")


async def main_async(args: argparse.Namespace) -> Report:
    from tests.support.redis_server import RedisServer

    report = Report("dispatch")
    redis = RedisServer()
    redis.start()
    try:
        print("(a) submit → worker start")
        emb = await start_embedded(args.jobs, 0.02)
        print("  " + describe("embedded (InProcessQueue)", emb))
        ours, _ = await start_arq(redis.url, "ours", args.jobs, 0.05, 0.005)
        print("  " + describe("distributed (arq, poll_delay 0.01 s)", ours))
        base_start, base_notice = await start_arq(redis.url, "default", args.baseline_jobs, 0.5, 0.5)
        print("  " + describe("baseline: arq defaults (poll_delay 0.5 s)", base_start))
        compare(report, "submit→start embedded", emb, base_start, "arq defaults")
        compare(report, "submit→start distributed", ours, base_start, "arq defaults")

        print("(b) progress publish → SSE client receive")
        mem = await publish_receive("embedded", args.events, 0.02, None)
        print("  " + describe("embedded (MemoryEventBus → SSE)", mem))
        red = await publish_receive("distributed", args.events, 0.02, redis.url)
        print("  " + describe("distributed (RedisEventBus → SSE)", red))
        print("  " + describe("baseline: arq Job.result() polling 0.5 s", base_notice))
        compare(report, "publish→SSE receive embedded", mem, base_notice, "arq Job.result() default polling")
        compare(report, "publish→SSE receive distributed", red, base_notice, "arq Job.result() default polling")
    finally:
        redis.close()
    report.note("one job at a time after a random gap (idle worker); Redis is a private redis-server on loopback")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200, help="samples for our queue and bus")
    parser.add_argument("--baseline-jobs", type=int, default=60, help="samples for arq defaults (~0.7 s each)")
    parser.add_argument("--events", type=int, default=200, help="progress events per mode")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (40/15/40)")
    parser.add_argument("--arq-worker", nargs=2, metavar=("REDIS_URL", "FLAVOUR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.arq_worker:
        run_arq_worker(*args.arq_worker)
        return 0
    if args.quick:
        args.jobs, args.baseline_jobs, args.events = 40, 15, 40
    header("dispatch bench")
    report = run(main_async(args))
    report.write(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
