"""End to end: N users each paint one mural, distributed mode with 2 workers, tiny models (issue 9).

    .venv/bin/python bench/e2e.py [--users 100] [--workers 2] [--steps 4] [--quick]

The deployment is tests/support/distributed.py's: one ``saekdam serve`` API process, ``--workers``
``saekdam worker`` processes, a private redis-server, a fresh PostgreSQL database (127.0.0.1:5432) and a
moto S3 server, all on loopback. Users sign up first (not timed). Then every user at once does what the app
does: create the task, PUT the photo to the presigned S3 URL, submit (box region, ``--steps``), and follow
the task's SSE stream until it ends. Figures: murals per minute (first create → last terminal event),
p50/p99 of the queue wait (``started_at - queued_at`` of each task's JSON) and of submit → succeeded as
the user sees it.

Baseline, measured first in the same run: the bare painter (``Painter.paint`` on the same photo, region,
steps and tiny models, in one process, one job after another): the throughput one painter gets with no
HTTP, queue, database, S3 or events at all. The ratio ours/bare shows what the deployment's two workers make
of two painters' worth of CPU after all its plumbing (ideal ≤ workers; on a 2-core host shared with the
API, Redis, PostgreSQL and moto, > 1 means the plumbing costs less than the second worker brings).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Figure, Report, app_env, header, median, pct, run, use_env  # noqa: E402

BOX = [10, 10, 100, 80]
PHOTO_SIZE = (160, 120)
WARMUP = 3


# ------------------------------------------------------------------------------------------- baseline


async def bare_painter(jobs: int, steps: int) -> list[float]:
    """Seconds per mural of the painter alone, as a worker configures it from the same settings."""
    from app.actors.painter import Painter, PaintRequest, Region, ThemeStyle
    from app.actors.painter.config import painter_config_from_settings
    from app.core.settings import get_settings
    from tests.support.flow import wall_png

    painter = Painter(painter_config_from_settings(get_settings()))
    await painter.load()
    photo = wall_png(*PHOTO_SIZE)
    theme = ThemeStyle(
        slug="space",
        prompt_template="sdmural space mural, {wish}, stars",
        negative_prompt="blurry, text",
        default_steps=steps,
    )

    async def on_progress(_: object) -> None:
        return None

    times = []
    try:
        for i in range(jobs + WARMUP):
            request = PaintRequest(
                job_id=f"bare{i}",
                photo=photo,
                region=Region(mode="box", box=BOX),
                theme=theme,
                prompt="stars",
                seed=i,
                steps=steps,
            )
            start = time.perf_counter()
            await painter.paint(request, on_progress)
            if i >= WARMUP:  # the first paints of a fresh process take seconds (lazy init), not the steady state
                times.append(time.perf_counter() - start)
    finally:
        await painter.close()
    return times


# ------------------------------------------------------------------------------------------- the users


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


async def one_user(http: Any, user: Any, photo: bytes, steps: int) -> dict[str, Any]:
    from tests.support.flow import create_and_upload, read_sse

    began = time.monotonic()
    task = await create_and_upload(http, user.headers, photo)
    submitted = time.monotonic()
    r = await http.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={"theme": "space", "prompt": "stars", "region": {"mode": "box", "box": BOX}, "steps": steps},
    )
    assert r.status_code == 202, r.text
    events = await read_sse(http, f"/api/tasks/{task['id']}/events", user.headers, timeout=600)
    done = time.monotonic()
    final = (await http.get(f"/api/tasks/{task['id']}", headers=user.headers)).json()
    status = events[-1]["data"]["status"] if events else final["status"]
    queued, started, finished = _at(final["queued_at"]), _at(final["started_at"]), _at(final["finished_at"])
    wait = (started - queued).total_seconds() if queued and started else float("nan")
    work = (finished - started).total_seconds() if started and finished else float("nan")
    return {
        "status": status,
        "began": began,
        "submitted": submitted,
        "done": done,
        "total": done - submitted,
        "queue_wait": wait,
        "job": work,
    }


async def drive(url: str, users: int, steps: int) -> tuple[list[dict[str, Any]], float]:
    import httpx

    from tests.support.flow import wall_png
    from tests.support.users import new_user

    limits = httpx.Limits(max_connections=4 * users + 20, max_keepalive_connections=2 * users)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        people = []
        for i in range(0, users, 20):  # sign-ups are set-up: a few at a time, not timed
            people += await asyncio.gather(*(new_user(http, f"user{j}") for j in range(i, min(users, i + 20))))
        photo = wall_png(*PHOTO_SIZE)
        start = time.monotonic()
        results = await asyncio.gather(*(one_user(http, u, photo, steps) for u in people))
        return results, time.monotonic() - start


def wait_workers_ready(workers: list[Any], timeout_s: float = 300) -> None:
    """The clock starts once every worker has loaded its models (app/worker.py logs "worker … ready")."""
    deadline = time.monotonic() + timeout_s
    while not all(re.search(r"worker \S+ ready on", w.log_path.read_text(errors="replace")) for w in workers):
        if time.monotonic() > deadline or any(w.proc.poll() is not None for w in workers):
            raise RuntimeError("workers did not get ready:\n" + "\n".join(w.log() for w in workers))
        time.sleep(0.5)


def run_deployment(users: int, workers: int, steps: int, log_dir: str) -> tuple[list[dict[str, Any]], float]:
    from tests.support.distributed import deployment

    with tempfile.TemporaryDirectory(prefix="saekdam-e2e-") as tmp:
        logs = Path(log_dir) if log_dir else Path(tmp) / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        limits = str(max(500, users * 2))
        with deployment(
            logs,
            Path(tmp) / "var",
            apis=1,
            workers=workers,
            SAEKDAM_JOB_TIMEOUT_S="300",
            SAEKDAM_MAX_CONCURRENT_TASKS=limits,
            SAEKDAM_MAX_TASKS_PER_DAY=limits,
            SAEKDAM_MAX_OPEN_TASKS=limits,
            SAEKDAM_MAX_OPEN_UPLOAD_BYTES=str(10**10),
            SAEKDAM_STREAMS_PER_USER=limits,
            SAEKDAM_STREAMS_PER_ADDRESS=str(10**6),
        ) as deployed:
            try:
                wait_workers_ready(deployed.workers)
                return run(drive(deployed.apis[0].url, users, steps))
            except Exception:
                print(deployed.logs()[-6000:], file=sys.stderr)
                raise


# ------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--baseline-jobs", type=int, default=20)
    parser.add_argument("--log-dir", default="", help="keep the API and worker logs here")
    parser.add_argument("--quick", action="store_true", help="10 users, 5 baseline jobs")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.baseline_jobs = 10, 5
    header("end-to-end bench")
    with tempfile.TemporaryDirectory(prefix="saekdam-e2e-env-") as tmp:
        env = app_env(Path(tmp) / "var")  # workers and API inherit models and cheap sign-ups from os.environ
        use_env(env)
        os.environ.pop("SAEKDAM_VAR_DIR")  # the deployment sets its own
        per_mural = run(bare_painter(args.baseline_jobs, args.steps))
        bare_rate = 60 / statistics.median(per_mural)
        print(
            f"  baseline: bare painter, one process: {statistics.median(per_mural) * 1000:.0f} ms per mural "
            f"(median of {len(per_mural)}) = {bare_rate:.1f} murals/min"
        )
        results, wall = run_deployment(args.users, args.workers, args.steps, args.log_dir)
    ok = [r for r in results if r["status"] == "succeeded"]
    rate = len(ok) / wall * 60
    waits = [r["queue_wait"] for r in ok]
    totals = [r["total"] for r in ok]
    jobs = [r["job"] for r in ok]
    print(
        f"  {args.users} users, {args.workers} workers: {len(ok)}/{len(results)} succeeded in {wall:.1f} s = "
        f"{rate:.1f} murals/min (×{rate / bare_rate:.2f} bare painter)"
    )
    print(
        f"  queue wait p50 {median(waits):.2f} s p99 {pct(waits, 99):.2f} s | submit → succeeded p50 "
        f"{median(totals):.2f} s p99 {pct(totals, 99):.2f} s | job (started_at→finished_at) p50 "
        f"{median(jobs):.2f} s"
    )
    report = Report("e2e")
    report.add(
        Figure(
            f"{args.users} users × 1 mural, {args.workers} workers: throughput",
            round(rate, 1),
            "murals/min",
            "bare painter loop, 1 process",
            round(bare_rate, 1),
            round(rate / bare_rate, 2),
            "ours/bare",
            "all succeed; info",
            len(ok) == len(results),
        )
    )
    report.add(
        Figure(
            "queue wait (queued_at→started_at) p50",
            round(median(waits), 2),
            "s",
            goal=f"info (p99 {pct(waits, 99):.2f} s)",
        )
    )
    report.add(
        Figure(
            "submit→succeeded (client) p50", round(median(totals), 2), "s", goal=f"info (p99 {pct(totals, 99):.2f} s)"
        )
    )
    report.add(
        Figure(
            "job on a worker (started_at→finished_at) p50",
            round(median(jobs), 2),
            "s",
            "bare painter per mural",
            round(statistics.median(per_mural), 3),
            goal="info",
        )
    )
    report.note(
        f"tiny models, {args.steps} steps, {PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} PNG, box region; all users "
        f"start together, so queue waits grow with the line (≈ users / workers × per-job time)"
    )
    report.write(args)
    return 0 if len(ok) == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
