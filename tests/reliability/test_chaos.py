"""Faults while tasks run: each must end with every task in a correct terminal state, no photo or result lost,
and clients told the truth.

- storage refusing the result (embedded mode): the task ends ``failed`` with ``storage_error``, the SSE client
  sees that status, the photo is intact, and a retry succeeds once storage works again;
- every PostgreSQL connection of the service terminated while requests and a job run (distributed mode): the API
  answers a clear JSON 5xx (never a hang or a broken connection) or succeeds, then recovers; the job ends.

A worker SIGKILLed mid-job and Redis restarted mid-stream are covered by tests/tasks/test_faults.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import Deployed, start_own_server
from tests.support.distributed import Deployment, deployment
from tests.support.flow import create_and_upload, read_sse, stream_until_progress, wait_terminal, wall_png
from tests.support.users import new_user

pytestmark = pytest.mark.slow
SUBMIT = {"theme": "ocean", "prompt": "whales", "region": {"mode": "box", "box": [10, 10, 100, 80]}}


# ------------------------------------------------------------------------------------------------ storage
@pytest.fixture(scope="module")
def embedded(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    d = start_own_server(log_dir, tmp_path_factory.mktemp("chaos-var"), "chaos-embedded")
    yield d
    d.server.stop()


@pytest.mark.db
async def test_result_storage_failure_fails_the_task_truthfully_and_keeps_the_photo(embedded: Deployed) -> None:
    async with httpx.AsyncClient(base_url=embedded.server.url, timeout=60) as http:
        user = await new_user(http)
        photo = wall_png()
        task = await create_and_upload(http, user.headers, photo)
        tid = task["id"]
        # the fault: the result's place in the store is taken by a directory, so writing the result fails
        # (works as root too, unlike a read-only chmod)
        blocker = embedded.storage_dir / "objects" / "tasks" / tid / "result-1.png"
        (blocker / "blocked").mkdir(parents=True)
        r = await http.post(f"/api/tasks/{tid}/submit", json={**SUBMIT, "steps": 4}, headers=user.headers)
        assert r.status_code == 202, r.text
        events = await read_sse(http, f"/api/tasks/{tid}/events", user.headers, timeout=120)
        final = (await http.get(f"/api/tasks/{tid}", headers=user.headers)).json()
        assert final["status"] == "failed" and final["error"]["code"] == "storage_error", final
        assert final["error"]["detail"] and final["result_urls"] == []
        assert events[-1]["event"] == "status" and events[-1]["data"]["status"] == "failed"  # told the truth
        assert events[-1]["data"]["error"]["code"] == "storage_error"
        got = await http.get(final["input_url"])
        assert got.status_code == 200 and got.content == photo  # the photo is intact
        # storage works again: a retry paints the same photo
        (blocker / "blocked").rmdir()
        blocker.rmdir()
        again = await http.post(f"/api/tasks/{tid}/retry", json={}, headers=user.headers)
        assert again.status_code == 201, again.text
        done = await wait_terminal(http, user.headers, again.json()["id"], 120)
        assert done["status"] == "succeeded", (done, embedded.server.log())
        assert (await http.get(done["result_urls"][0])).status_code == 200
        assert (await http.get(done["input_url"])).content == photo


# ------------------------------------------------------------------------------------------------ database
@pytest.fixture(scope="module")
def distributed_pg(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with deployment(
        log_dir,
        tmp_path_factory.mktemp("chaos-dist"),
        apis=1,
        workers=1,
        SAEKDAM_HEARTBEAT_TIMEOUT_S="10",
        SAEKDAM_JOB_TIMEOUT_S="60",
    ) as deployed:
        yield deployed


async def _terminate_backends(database_url: str) -> int:
    import asyncpg

    name = database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    try:
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        return sum(1 for r in rows if r["ok"])
    finally:
        await admin.close()


@pytest.mark.redis
async def test_database_connections_dropped_mid_request_and_mid_job(distributed_pg: Deployment) -> None:
    dep = distributed_pg
    async with httpx.AsyncClient(base_url=dep.apis[0].url, timeout=30) as http:
        user = await new_user(http)
        task = await create_and_upload(http, user.headers, wall_png())
        tid = task["id"]
        r = await http.post(f"/api/tasks/{tid}/submit", json={**SUBMIT, "steps": 40}, headers=user.headers)
        assert r.status_code == 202, r.text
        events, reader = await stream_until_progress(http, tid, user.headers, timeout=150)

        answers: list[httpx.Response] = []
        stop = asyncio.Event()

        async def load() -> None:
            while not stop.is_set():
                for path in (f"/api/tasks/{tid}", "/api/me", "/api/posts", "/api/tasks"):
                    answers.append(await http.get(path, headers=user.headers))

        loaders = [asyncio.create_task(load()) for _ in range(4)]
        await asyncio.sleep(0.5)
        killed = 0
        for _ in range(3):  # the fault, three times while requests and the job run
            killed += await _terminate_backends(dep.env["SAEKDAM_DATABASE_URL"])
            await asyncio.sleep(0.4)
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.gather(*loaders)
        assert killed >= 1
        # every answer was a success or "unavailable, retry in a moment"; none hung or broke the connection
        for a in answers:
            assert a.status_code == 200 or (
                a.status_code == 503
                and a.json()["code"] == "unavailable"
                and a.headers["retry-after"]
                and a.json()["detail"]
            ), a.text
        # the service recovers: every endpoint answers again
        deadline = time.monotonic() + 20
        while True:
            statuses = [(await http.get(p, headers=user.headers)).status_code for p in ("/api/me", "/api/tasks")]
            if statuses == [200, 200]:
                break
            assert time.monotonic() < deadline, (statuses, dep.logs())
            await asyncio.sleep(0.5)
        # the job that ran through the fault ends in a terminal state, and the stream says the same
        final = await wait_terminal(http, user.headers, tid, 150)
        assert final["status"] in ("succeeded", "failed"), final
        if final["status"] == "succeeded":
            assert all([(await http.get(u)).status_code == 200 for u in final["result_urls"]])
        await asyncio.wait_for(reader, 60)
        assert events[-1]["data"]["status"] == final["status"], events[-3:]
        assert (await http.get(final["input_url"])).status_code == 200  # the photo survived
        # and new work succeeds
        again = await create_and_upload(http, user.headers, wall_png())
        r = await http.post(f"/api/tasks/{again['id']}/submit", json={**SUBMIT, "steps": 2}, headers=user.headers)
        assert r.status_code == 202, r.text
        assert (await wait_terminal(http, user.headers, again["id"], 120))["status"] == "succeeded", dep.logs()
        errors = sum(1 for a in answers if a.status_code != 200)
        print(
            f"{len(answers)} requests during the fault, {errors} answered 5xx; {killed} backends terminated; "
            f"the running job ended {final['status']}"
        )
