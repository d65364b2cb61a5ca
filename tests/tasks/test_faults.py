"""Faults in distributed mode: many jobs on two workers, a worker killed mid-job, Redis restarted mid-stream.

Each must end with every task in a correct terminal state, no photo or result lost, and clients told the truth.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.distributed import Deployment, deployment
from tests.support.flow import create_and_upload, stream_until_progress, wait_terminal, wall_png
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.slow
SUBMIT = {"theme": "space", "prompt": "stars", "region": {"mode": "box", "box": [10, 10, 100, 80]}}


@pytest.fixture(scope="module")
def faulty(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with deployment(
        log_dir,
        tmp_path_factory.mktemp("faults-var"),
        workers=2,
        SAEKDAM_JOB_TIMEOUT_S="120",
        SAEKDAM_HEARTBEAT_TIMEOUT_S="10",
        SAEKDAM_MAX_CONCURRENT_TASKS="500",
        SAEKDAM_MAX_TASKS_PER_DAY="500",
        SAEKDAM_MAX_OPEN_TASKS="500",
        SAEKDAM_MAX_OPEN_UPLOAD_BYTES=str(10**9),
    ) as deployed:
        yield deployed


async def _submit(http: httpx.AsyncClient, user: ApiUser, photo: bytes, steps: int) -> str:
    task = await create_and_upload(http, user.headers, photo)
    r = await http.post(f"/api/tasks/{task['id']}/submit", json={**SUBMIT, "steps": steps}, headers=user.headers)
    assert r.status_code == 202, r.text
    return str(task["id"])


async def test_100_tasks_on_2_workers_each_painted_once(faulty: Deployment) -> None:
    async with httpx.AsyncClient(base_url=faulty.apis[0].url, timeout=60) as http:
        user = await new_user(http)
        photo = wall_png(160, 120)
        ids = await asyncio.gather(*[_submit(http, user, photo, 2) for _ in range(100)])
        finals = [await wait_terminal(http, user.headers, tid, 240) for tid in ids]
        assert [f["status"] for f in finals] == ["succeeded"] * 100, faulty.logs()
        for f in finals[:5]:
            assert (await http.get(f["result_urls"][0])).status_code == 200
    logs = "".join(w.log_path.read_text() for w in faulty.workers)
    painted = re.findall(r"task ([0-9a-f-]{36}): painting \(attempt (\d+)\)", logs)
    per_task = {tid: [a for t, a in painted if t == tid] for tid in ids}
    assert all(v == ["1"] for v in per_task.values()), {k: v for k, v in per_task.items() if v != ["1"]}
    assert {w.log_path.name for w in faulty.workers if "painting" in w.log_path.read_text()} == {
        "worker1.log",
        "worker2.log",
    }  # both workers took jobs


async def test_worker_killed_mid_job_is_retried_or_failed(faulty: Deployment) -> None:
    async with httpx.AsyncClient(base_url=faulty.apis[0].url, timeout=60) as http:
        user = await new_user(http)
        tid = await _submit(http, user, wall_png(160, 120), 50)
        events, reader = await stream_until_progress(http, tid, user.headers, timeout=180)
        task = (await http.get(f"/api/tasks/{tid}", headers=user.headers)).json()
        assert task["status"] == "running"
        victim = next(w for w in faulty.workers if w.proc.poll() is None and tid in w.log_path.read_text())
        victim.stop(sig_kill=True)
        faulty.add_worker("worker3")  # the replacement host
        final = await wait_terminal(http, user.headers, tid, 150)
        assert final["status"] in ("succeeded", "failed"), final
        if final["status"] == "failed":
            assert final["error"]["code"] == "worker_lost"
        else:
            assert len(final["result_urls"]) == 1 and (await http.get(final["result_urls"][0])).status_code == 200
        await asyncio.wait_for(reader, 60)
        assert events[-1]["data"]["status"] == final["status"]  # the client was told the truth
        assert (await http.get(final["input_url"])).status_code == 200  # the photo survived


async def test_redis_restart_while_streaming(faulty: Deployment) -> None:
    async with httpx.AsyncClient(base_url=faulty.apis[0].url, timeout=60) as http:
        user = await new_user(http)
        tid = await _submit(http, user, wall_png(160, 120), 40)
        events, reader = await stream_until_progress(http, tid, user.headers, timeout=240)
        faulty.redis.restart()
        final = await wait_terminal(http, user.headers, tid, 180)
        assert final["status"] in ("succeeded", "failed"), final
        await asyncio.wait_for(reader, 90)
        assert events[-1]["data"]["status"] == final["status"], events[-3:]
        # the service still works after the restart
        again = await _submit(http, user, wall_png(160, 120), 2)
        assert (await wait_terminal(http, user.headers, again, 120))["status"] == "succeeded", faulty.logs()
