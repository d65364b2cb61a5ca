"""Scale out on loopback: two API processes on different ports, two `saekdam worker` processes, a private
Redis, a fresh PostgreSQL database and a real S3-compatible server (moto).

Any request or stream may land on any API process: a task created and submitted on API 1 streams every
progress event through API 2; a like made on API 2 reaches a board stream held open on API 1; rate limits and
quotas count across both processes; the ops page lists both workers from their Redis heartbeats; and killing
API 1 (SIGKILL) mid-task changes nothing for the task or for the client streaming through API 2.
A missing PostgreSQL or redis-server fails these tests loudly (tests/support/postgres.py, redis_server.py).
"""

from __future__ import annotations

import asyncio
import io
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from PIL import Image

from tests.board.helpers import SseReader
from tests.support.distributed import Deployment, deployment
from tests.support.flow import create_and_upload, read_sse, wall_png
from tests.support.server import ROOT
from tests.support.users import ApiUser, bearer, browser_session, new_user

pytestmark = [pytest.mark.db, pytest.mark.redis, pytest.mark.slow]

LOGIN_EMAIL_MAX = 4
LOGIN_IP_MAX = 6
TASKS_PER_DAY = 3
COMMENTS_PER_10_MIN = 3
BOX = {"mode": "box", "box": [16, 16, 160, 120]}


@pytest.fixture(scope="module")
def two_apis(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with deployment(
        log_dir,
        tmp_path_factory.mktemp("scale-var"),
        apis=2,
        workers=2,
        SAEKDAM_LOGIN_EMAIL_MAX_FAILURES=str(LOGIN_EMAIL_MAX),
        SAEKDAM_LOGIN_IP_MAX_FAILURES=str(LOGIN_IP_MAX),
        SAEKDAM_MAX_TASKS_PER_DAY=str(TASKS_PER_DAY),
        SAEKDAM_MAX_CONCURRENT_TASKS="10",
        SAEKDAM_BOARD_COMMENTS_PER_10_MIN=str(COMMENTS_PER_10_MIN),
        SAEKDAM_PREVIEW_EVERY="0",
        SAEKDAM_STREAM_AUTH_RECHECK_S="1",
    ) as deployed:
        assert deployed.apis[0].port != deployed.apis[1].port
        yield deployed


@pytest.fixture
async def api1(two_apis: Deployment) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=two_apis.apis[0].url, timeout=60) as http:
        yield http


@pytest.fixture
async def api2(two_apis: Deployment) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=two_apis.apis[1].url, timeout=60) as http:
        yield http


async def _wait(predicate: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def _stream_then_submit(
    submit_on: httpx.AsyncClient, stream_on: httpx.AsyncClient, user: ApiUser, steps: int
) -> tuple[str, list[dict[str, Any]], asyncio.Task[list[dict[str, Any]]]]:
    """Open the task's event stream on one API before submitting on the other, so no event can be missed."""
    task = await create_and_upload(submit_on, user.headers, wall_png(320, 240))
    events: list[dict[str, Any]] = []
    reader = asyncio.create_task(
        read_sse(stream_on, f"/api/tasks/{task['id']}/events", user.headers, timeout=120, into=events)
    )
    await _wait(lambda: events or reader.done(), "the stream's snapshot", 30)
    assert events and events[0]["event"] == "task" and events[0]["data"]["status"] == "created", events
    r = await submit_on.post(
        f"/api/tasks/{task['id']}/submit",
        json={"theme": "ocean", "prompt": "whales and waves", "region": BOX, "steps": steps, "seed": 7},
        headers=user.headers,
    )
    assert r.status_code == 202, r.text
    return str(task["id"]), events, reader


def _progress_steps(events: list[dict[str, Any]]) -> list[int]:
    return [int(e["data"]["step"]) for e in events if e["event"] == "progress"]


async def test_task_on_api1_streams_through_api2_and_board_events_cross(
    two_apis: Deployment, api1: httpx.AsyncClient, api2: httpx.AsyncClient
) -> None:
    user = await new_user(api1, "scale")
    steps = 8
    task_id, events, reader = await _stream_then_submit(api1, api2, user, steps)
    await asyncio.wait_for(reader, 90)  # the stream ends after the terminal status
    final = events[-1]
    assert final["event"] == "status" and final["data"]["status"] == "succeeded", (events[-3:], two_apis.logs())
    assert _progress_steps(events) == list(range(1, steps + 1)), events  # every step, in order, no gaps
    assert all(e["data"]["total"] == steps for e in events if e["event"] == "progress")
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    statuses = [e["data"]["status"] for e in events if e["event"] == "status"]
    assert statuses[0] == "queued" and statuses[-1] == "succeeded" and "running" in statuses

    # the result, through either API, is an image of the photo's size in the S3 store
    task = (await api2.get(f"/api/tasks/{task_id}", headers=user.headers)).json()
    assert task["status"] == "succeeded" and len(task["result_urls"]) == 1
    assert task["result_urls"][0].startswith(two_apis.env["SAEKDAM_S3_ENDPOINT_URL"])
    result = await api1.get(task["result_urls"][0])
    assert result.status_code == 200
    assert Image.open(io.BytesIO(result.content)).size == (320, 240)

    # board: publish on API 1, like on API 2; a board stream open on API 1 sees the like
    async with SseReader(api1, "/api/board/events") as board_on_api1:
        r = await api2.post(
            "/api/posts",
            json={
                "task_id": task_id,
                "result_index": 0,
                "title": "Whales on a wall",
                "content": "painted by two workers",
            },
            headers=user.headers,
        )
        assert r.status_code == 201, r.text
        post_id = r.json()["id"]
        liker = await new_user(api2, "liker")
        liked = await api2.put(f"/api/posts/{post_id}/like", headers=liker.headers)
        assert liked.status_code == 200 and liked.json() == {"like_count": 1, "liked_by_me": True}
        created = await board_on_api1.wait_for(lambda e: e["event"] == "post_created" and e["data"]["id"] == post_id)
        update = await board_on_api1.wait_for(
            lambda e: e["event"] == "post_updated" and e["data"]["id"] == post_id and e["data"]["like_count"] == 1
        )
        assert int(update["id"]) > int(created["id"])
    assert (await api1.get(f"/api/posts/{post_id}")).json()["like_count"] == 1

    # the board's write limits count across both processes too
    apis = (api1, api2)
    for i in range(COMMENTS_PER_10_MIN):
        r = await apis[i % 2].post(
            f"/api/posts/{post_id}/comments", json={"content": f"nice {i}"}, headers=liker.headers
        )
        assert r.status_code == 201, (i, r.text)
    r = await apis[COMMENTS_PER_10_MIN % 2].post(
        f"/api/posts/{post_id}/comments", json={"content": "one more"}, headers=liker.headers
    )
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and int(r.headers["retry-after"]) > 0
    assert (await api2.get(f"/api/posts/{post_id}")).json()["comment_count"] == COMMENTS_PER_10_MIN


async def test_login_limits_hold_across_both_apis(api1: httpx.AsyncClient, api2: httpx.AsyncClient) -> None:
    apis = (api1, api2)
    # per email: failures alternate between the processes; the limit trips at exactly the configured total
    victim = await new_user(api1, "victim")
    here = {
        "x-forwarded-for": "198.51.100.10"
    }  # the deployment trusts 127.0.0.1 as its proxy: one client address per check
    for i in range(LOGIN_EMAIL_MAX):
        r = await apis[i % 2].post(
            "/api/auth/token", json={"email": victim.email, "password": "wrong password!"}, headers=here
        )
        assert r.status_code == 401, (i, r.text)
    blocked = await apis[LOGIN_EMAIL_MAX % 2].post(
        "/api/auth/token", json={"email": victim.email, "password": victim.password}, headers=here
    )
    assert blocked.status_code == 429, blocked.text  # even the right password, on either process
    assert blocked.json()["code"] == "too_many_login_failures" and int(blocked.headers["retry-after"]) > 0
    assert (
        await apis[(LOGIN_EMAIL_MAX + 1) % 2].post(
            "/api/auth/token", json={"email": victim.email, "password": victim.password}, headers=here
        )
    ).status_code == 429

    # per client address: failures for different emails from one address, alternating processes
    there = {"x-forwarded-for": "203.0.113.77"}
    for i in range(LOGIN_IP_MAX):
        r = await apis[i % 2].post(
            "/api/auth/token", json={"email": f"nobody{i}@example.com", "password": "x" * 8}, headers=there
        )
        assert r.status_code == 401, (i, r.text)
    r = await apis[LOGIN_IP_MAX % 2].post(
        "/api/auth/token", json={"email": "nobody@example.com", "password": "x" * 8}, headers=there
    )
    assert r.status_code == 429 and r.json()["code"] == "too_many_login_failures", r.text
    other = await api2.post(
        "/api/auth/token",
        json={"email": victim.email, "password": victim.password},
        headers={"x-forwarded-for": "192.0.2.5"},
    )
    assert other.status_code == 429  # the email is still blocked; another address changes nothing for it


async def test_daily_task_quota_holds_across_both_apis(api1: httpx.AsyncClient, api2: httpx.AsyncClient) -> None:
    apis = (api1, api2)
    user = await new_user(api2, "quota")
    photo = wall_png(96, 96)
    for i in range(TASKS_PER_DAY + 1):
        http = apis[i % 2]
        task = await create_and_upload(http, user.headers, photo)
        r = await http.post(
            f"/api/tasks/{task['id']}/submit",
            json={"theme": "space", "prompt": "stars", "region": {"mode": "box", "box": [0, 0, 64, 64]}, "steps": 1},
            headers=user.headers,
        )
        if i < TASKS_PER_DAY:
            assert r.status_code == 202, (i, r.text)
        else:
            assert r.status_code == 429, r.text
            assert r.json()["code"] == "daily_quota_exceeded" and int(r.headers["retry-after"]) > 0
            left = (await apis[(i + 1) % 2].get(f"/api/tasks/{task['id']}", headers=user.headers)).json()
            assert left["status"] == "created"  # a refused submit leaves the task as it was


def _superuser(env: dict[str, str]) -> tuple[str, str]:
    email, password = f"ops{uuid.uuid4().hex[:10]}@example.com", "ops-admin-pass-1"
    done = subprocess.run(
        [sys.executable, "-m", "app", "createsuperuser", "--email", email, "--nickname", "ops", "--password", password],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return email, password


async def _refused_within(http: httpx.AsyncClient, headers: dict[str, str], seconds: float) -> float:
    """Poll ``/api/me`` until the credential is refused; how long that took (fails past ``seconds``)."""
    started = time.monotonic()
    while (await http.get("/api/me", headers=headers)).status_code == 200:
        assert time.monotonic() - started < seconds, f"still accepted after {seconds} s"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_revocation_reaches_the_other_api_within_a_second(
    two_apis: Deployment, api1: httpx.AsyncClient, api2: httpx.AsyncClient
) -> None:
    """A password changed on API 1 refuses the user's other tokens and sessions on API 2 within 1 s, and a
    WebSocket open on API 2 closes with 4401; "log out everywhere" on API 2 reaches API 1 the same way."""
    import websockets

    user = await new_user(api1, "revoke")
    on_api2 = await bearer(api2, user.email, user.password)
    session = await browser_session(two_apis.apis[1].url, user.email, user.password)
    task = await create_and_upload(api1, user.headers, wall_png())
    ws_url = (
        two_apis.apis[1].url.replace("http://", "ws://")
        + f"/api/tasks/{task['id']}/ws?access_token={on_api2['authorization'].split(' ', 1)[1]}"
    )
    try:
        async with websockets.connect(ws_url) as socket:
            assert '"event":"task"' in await asyncio.wait_for(socket.recv(), 10)
            assert (await api2.get("/api/me", headers=on_api2)).status_code == 200
            r = await api1.post(
                "/api/me/password",
                json={"current_password": user.password, "new_password": "changed-on-api1"},
                headers=user.headers,
            )
            assert r.status_code == 204, r.text
            assert await _refused_within(api2, on_api2, 1.0) < 1.0
            page = await session.get("/account")
            assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(socket.recv(), 10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        assert (await api2.get("/api/me", headers=user.headers)).status_code == 200  # the caller's token stays
        again = await bearer(api1, user.email, "changed-on-api1")
        assert (await api2.post("/api/auth/logout-all", headers=user.headers)).status_code == 204
        assert await _refused_within(api1, again, 1.0) < 1.0
    finally:
        await session.aclose()


async def test_logout_rename_and_deactivation_reach_the_other_apis_token_cache(
    two_apis: Deployment, api1: httpx.AsyncClient, api2: httpx.AsyncClient
) -> None:
    """API 2 caches who a token belongs to; a logout, a new nickname and an admin's deactivation made on
    API 1 reach that cache within 1 s (the ``accounts`` event on the bus), not after its TTL."""
    user = await new_user(api1, "cached")
    for _ in range(3):  # resolved once, then served from API 2's token cache
        assert (await api2.get("/api/me", headers=user.headers)).status_code == 200
    assert (await api1.post("/api/auth/logout", headers=user.headers)).status_code == 204
    assert await _refused_within(api2, user.headers, 1.0) < 1.0

    token = await bearer(api1, user.email, user.password)
    assert (await api2.get("/api/me", headers=token)).json()["nickname"] == "cached"
    assert (await api1.patch("/api/me", json={"nickname": "renamed"}, headers=token)).status_code == 200
    started = time.monotonic()
    while (await api2.get("/api/me", headers=token)).json()["nickname"] != "renamed":
        assert time.monotonic() - started < 1.0, "API 2 still shows the old nickname"
        await asyncio.sleep(0.02)

    email, password = _superuser(two_apis.env)
    async with httpx.AsyncClient(base_url=two_apis.apis[0].url, timeout=30) as admin_http:
        await admin_http.get("/admin/public/login/")
        login = await admin_http.post(
            "/admin/public/login/",
            json={"username": email, "password": password},
            headers={"x-csrftoken": admin_http.cookies.get("csrftoken", "")},
        )
        assert login.status_code == 200, login.text
        csrf = {"x-csrftoken": admin_http.cookies.get("csrftoken", "")}
        rows = (await admin_http.get("/admin/api/tables/accounts_user/", params={"username": user.email})).json()[
            "rows"
        ]
        assert len(rows) == 1, rows
        assert (await api2.get("/api/me", headers=token)).status_code == 200
        patched = await admin_http.patch(
            f"/admin/api/tables/accounts_user/{rows[0]['id']}/", json={"active": False}, headers=csrf
        )
        assert patched.status_code == 200, patched.text
    assert await _refused_within(api2, token, 1.0) < 1.0
    assert (await api1.get("/api/me", headers=token)).status_code == 401


async def test_ops_page_lists_both_workers_from_their_heartbeats(
    two_apis: Deployment, api1: httpx.AsyncClient, api2: httpx.AsyncClient
) -> None:
    email, password = _superuser(two_apis.env)
    token = (await api2.post("/api/auth/token", json={"email": email, "password": password})).json()["access_token"]
    admin = {"authorization": f"Bearer {token}"}
    user = await new_user(api1, "not-admin")
    assert (await api1.get("/ops/", headers=user.headers)).status_code == 403

    # a worker that stopped reporting long ago (its host died without a clean shutdown)
    ghost = {
        "name": "ghost",
        "host": "gone-host",
        "pid": 1,
        "device": "cuda:0 NVIDIA H100",
        "state": "ready",
        "current_task": None,
        "started_at": time.time() - 3600,
        "last_seen": time.time() - 600,
        "jobs_done": 3,
    }
    r = two_apis.redis.client()
    r.hset("saekdam:workers", "ghost", msgspec.json.encode(ghost))
    r.close()

    deadline = time.monotonic() + 90  # a worker reports "loading" until its models are in memory
    while True:
        status = (await api2.get("/ops/status", headers=admin)).json()
        workers = {w["name"]: w for w in status["workers"]}
        if all(workers.get(n, {}).get("state") == "ready" for n in ("worker1", "worker2")):
            break
        assert time.monotonic() < deadline, (workers, two_apis.logs())
        await asyncio.sleep(0.5)
    assert status["mode"] == "distributed" and isinstance(status["queue_depth"], int)
    for name in ("worker1", "worker2"):
        w = workers[name]
        assert w["state"] == "ready" and not w["stale"], w
        assert w["host"] == socket.gethostname() and w["device"] == "cpu" and w["seconds_since_seen"] < 15
    assert workers["ghost"]["stale"] is True
    page = await api1.get("/ops/", headers=admin)
    assert page.status_code == 200
    assert 'data-worker="worker1"' in page.text and 'data-worker="worker2"' in page.text
    assert 'class="worker stale" data-worker="ghost"' in page.text


async def test_killing_api1_mid_task_does_not_affect_it(
    two_apis: Deployment, api1: httpx.AsyncClient, api2: httpx.AsyncClient
) -> None:
    """Last in this module: API 1 stays dead."""
    user = await new_user(api1, "survivor")
    steps = 50
    task_id, events, reader = await _stream_then_submit(api1, api2, user, steps)
    await _wait(lambda: _progress_steps(events) or reader.done(), "the first progress event", 60)
    assert not reader.done(), events
    two_apis.apis[0].stop(sig_kill=True)
    killed_at = max(_progress_steps(events))
    assert two_apis.apis[0].proc.returncode == -9
    await asyncio.wait_for(reader, 120)
    assert events[-1]["event"] == "status" and events[-1]["data"]["status"] == "succeeded", (
        events[-3:],
        two_apis.logs(),
    )
    seen = _progress_steps(events)
    assert seen == list(range(1, steps + 1)) and killed_at < steps, (killed_at, seen)
    task = (await api2.get(f"/api/tasks/{task_id}", headers=user.headers)).json()
    assert task["status"] == "succeeded" and task["error"] is None
    with pytest.raises(httpx.ConnectError):
        await api1.get("/healthz")
