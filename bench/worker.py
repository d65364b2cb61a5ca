"""Worker overhead: one `saekdam worker`, one job at a time, tiny model — the job's time on the worker
minus the painter's own time, and where the rest goes (issue 16).

    .venv/bin/python bench/worker.py [--jobs 30] [--steps 4] [--quick]

The deployment is tests/support/distributed.py's (one API process, ONE worker, a private redis-server, a
fresh PostgreSQL database on 127.0.0.1:5432, a moto S3 server). One user paints ``--jobs`` murals one after
another (create, PUT the photo, submit, follow the SSE stream to the end), so the worker never has two.
Per job: job time = ``finished_at - started_at`` of the task (what the worker stamps), the painter's own time
= its ``run_job`` (the worker logs it with every phase: "job timings {...}"), overhead = the difference.
Goal: overhead p50 ≤ 100 ms, p99 ≤ 250 ms.

Baseline, measured first in the same run: the bare painter (``Painter.paint`` with no progress listener,
same photo, region, steps and tiny models, one process): what a job would take with no queue, database,
S3 or events at all.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Figure, Report, app_env, header, median, pct, run, use_env  # noqa: E402
from bench.e2e import BOX, PHOTO_SIZE, _at, bare_painter, wait_workers_ready  # noqa: E402

OVERHEAD_P50_MS, OVERHEAD_P99_MS = 100.0, 250.0
WARMUP = 3
MARK = re.compile(r"job timings (\{.*\})\s*$", re.M)


async def paint_one(http: Any, user: Any, photo: bytes, steps: int) -> dict[str, Any]:
    from tests.support.flow import create_and_upload, read_sse

    task = await create_and_upload(http, user.headers, photo)
    submitted = time.monotonic()
    r = await http.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={"theme": "space", "prompt": "stars", "region": {"mode": "box", "box": BOX}, "steps": steps},
    )
    assert r.status_code == 202, r.text
    events = await read_sse(http, f"/api/tasks/{task['id']}/events", user.headers, timeout=120)
    done = time.monotonic()
    final = (await http.get(f"/api/tasks/{task['id']}", headers=user.headers)).json()
    started, finished, queued = _at(final["started_at"]), _at(final["finished_at"]), _at(final["queued_at"])
    return {
        "id": task["id"],
        "status": final["status"],
        "client_s": done - submitted,
        "progress_events": sum(1 for e in events if e["event"] == "progress"),
        "previews": sum(1 for e in events if e["event"] == "progress" and (e["data"] or {}).get("preview_url")),
        "job_s": (finished - started).total_seconds() if started and finished else float("nan"),
        "wait_s": (started - queued).total_seconds() if started and queued else float("nan"),
    }


async def drive(url: str, jobs: int, steps: int) -> list[dict[str, Any]]:
    import httpx

    from tests.support.flow import wall_png
    from tests.support.users import new_user

    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        user = await new_user(http, "painter")
        photo = wall_png(*PHOTO_SIZE)
        return [await paint_one(http, user, photo, steps) for _ in range(jobs + WARMUP)][WARMUP:]


def worker_timings(log_text: str) -> dict[str, dict[str, Any]]:
    found = {}
    for m in MARK.finditer(log_text):
        record = json.loads(m.group(1))
        found[record["task"]] = record
    return found


def run_deployment(jobs: int, steps: int) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    from tests.support.distributed import deployment

    with tempfile.TemporaryDirectory(prefix="saekdam-worker-") as tmp:
        logs = Path(tmp) / "logs"
        logs.mkdir()
        with deployment(logs, Path(tmp) / "var", apis=1, workers=1, SAEKDAM_JOB_TIMEOUT_S="120") as deployed:
            try:
                wait_workers_ready(deployed.workers)
                results = run(drive(deployed.apis[0].url, jobs, steps))
                time.sleep(0.5)  # the last job's log line
                return results, worker_timings(deployed.workers[0].log_path.read_text(errors="replace"))
            except Exception:
                print(deployed.logs()[-6000:], file=sys.stderr)
                raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--baseline-jobs", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="6 jobs, 3 baseline jobs")
    args = parser.parse_args(argv)
    if args.quick:
        args.jobs, args.baseline_jobs = 6, 3
    header("worker overhead bench")
    with tempfile.TemporaryDirectory(prefix="saekdam-worker-env-") as tmp:
        env = app_env(Path(tmp) / "var")  # the deployment's processes inherit models and cheap sign-ups
        use_env(env)
        os.environ.pop("SAEKDAM_VAR_DIR")  # the deployment sets its own
        bare = run(bare_painter(args.baseline_jobs, args.steps))
        results, timings = run_deployment(args.jobs, args.steps)
    ok = [r for r in results if r["status"] == "succeeded" and r["id"] in timings]
    for r in ok:
        t = timings[r["id"]]
        r["painter_s"] = (t["painter_ms"] or 0) / 1000
        r["overhead_s"] = r["job_s"] - r["painter_s"]
    over = [r["overhead_s"] * 1000 for r in ok]
    jobs_ms = [r["job_s"] * 1000 for r in ok]
    painter_ms = [r["painter_s"] * 1000 for r in ok]
    bare_ms = statistics.median(bare) * 1000
    print(f"  baseline: bare painter, one process, no listener: {bare_ms:.0f} ms per mural (median of {len(bare)})")
    print(
        f"  {len(ok)}/{len(results)} jobs succeeded, one at a time on one worker: job (started_at→finished_at) "
        f"p50 {median(jobs_ms):.0f} ms | painter's own p50 {median(painter_ms):.0f} ms | overhead p50 "
        f"{median(over):.0f} ms p99 {pct(over, 99):.0f} ms"
    )
    print(
        f"  client submit→last event p50 {median([r['client_s'] for r in ok]) * 1000:.0f} ms | queue wait p50 "
        f"{median([r['wait_s'] for r in ok]) * 1000:.0f} ms | progress events per job "
        f"{median([r['progress_events'] for r in ok]):.0f}, previews {median([r['previews'] for r in ok]):.0f}"
    )
    phases = sorted({p for r in ok for p in timings[r["id"]]["phases_ms"]})
    print(
        "  where a job's time goes on the worker (median ms per job; paint_call = painter + hand-off + "
        "waiting for the progress listener; progress_* and preview_upload run beside the painter):"
    )
    for phase in phases:
        values = [timings[r["id"]]["phases_ms"].get(phase, 0.0) for r in ok]
        counts = [timings[r["id"]]["counts"].get(phase, 0) for r in ok]
        print(
            f"    {phase:<17} {median(values):7.1f} ms  (×{median(counts):.0f} per job, p99 {pct(values, 99):.1f} ms)"
        )
    report = Report("worker")
    report.add(
        Figure(
            "job overhead (job time − painter's own) p50",
            round(median(over), 1),
            "ms",
            "bare painter per mural",
            round(bare_ms, 1),
            goal=f"≤ {OVERHEAD_P50_MS:.0f} ms",
            met=median(over) <= OVERHEAD_P50_MS and len(ok) == len(results),
        )
    )
    report.add(
        Figure(
            "job overhead (job time − painter's own) p99",
            round(pct(over, 99), 1),
            "ms",
            goal=f"≤ {OVERHEAD_P99_MS:.0f} ms",
            met=pct(over, 99) <= OVERHEAD_P99_MS,
        )
    )
    report.add(
        Figure(
            "job on the worker (started_at→finished_at) p50",
            round(median(jobs_ms), 1),
            "ms",
            "bare painter per mural",
            round(bare_ms, 1),
            round(median(jobs_ms) / bare_ms, 2),
            "ours/bare (lower is better)",
            "info",
        )
    )
    report.note(
        f"tiny models, {args.steps} steps, {PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} PNG, box region; one worker, "
        f"one job at a time, {len(ok)} jobs after {WARMUP} warm-up jobs; PostgreSQL, Redis, moto S3 on loopback"
    )
    report.write(args)
    return 0 if len(ok) == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
