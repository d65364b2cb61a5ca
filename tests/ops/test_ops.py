"""/ops: only admins get in; they see the workers (embedded: the in-process painter), the queue and the
latest failures. The distributed view (Redis heartbeats of `saekdam worker`s) is checked in
tests/scale/test_two_apis.py."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import httpx
import msgspec
import pytest

from tests.board.helpers import make_admin, make_task
from tests.support.server import Server
from tests.support.users import new_user

pytestmark = pytest.mark.db


async def test_anonymous_and_non_admin_are_refused(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        anon = await http.get("/ops/", follow_redirects=False)
        assert anon.status_code in (302, 303, 307) and anon.headers["location"].startswith("/login"), anon.text
        user = await new_user(http)
        for path in ("/ops/", "/ops/status"):
            r = await http.get(path, headers=user.headers, follow_redirects=False)
            assert r.status_code == 403, (path, r.status_code, r.text[:200])
            assert "in-process" not in r.text


async def test_admin_sees_the_in_process_worker_queue_and_failures(server: Server) -> None:
    from app.tasks.tables import Task

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        admin = await new_user(http, "ops-admin")
        await make_admin(admin)
        failed = await make_task(admin, status="failed")
        await Task.update(
            {
                Task.error_code: "worker_lost",
                Task.error_detail: "the worker went away",
                Task.finished_at: datetime.now(UTC),
            }
        ).where(Task.id == uuid.UUID(failed))

        page = await http.get("/ops/", headers=admin.headers)
        assert page.status_code == 200, page.text[:500]
        assert 'id="ops-workers"' in page.text and "(in-process)" in page.text
        assert 'id="ops-queue"' in page.text and failed in page.text and "worker_lost" in page.text
        assert "운영 현황" in page.text and "최근 실패" in page.text  # Korean by default, like every page
        assert 'href="/ops/"' in page.text  # admins find it in the header
        english = await http.get("/ops/", headers={**admin.headers, "accept-language": "en"})
        assert "Recent failures" in english.text and "최근 실패" not in english.text

        fragment = await http.get("/ops/", headers={**admin.headers, "hx-request": "true"})
        assert (
            fragment.status_code == 200 and "<html" not in fragment.text.lower() and 'id="ops-workers"' in fragment.text
        )

        status = (await http.get("/ops/status", headers=admin.headers)).json()
        assert status["mode"] == "embedded" and status["queue_depth"] == 0
        [worker] = status["workers"]
        assert worker["name"].endswith("(in-process)") and worker["stale"] is False
        assert worker["state"] in ("idle", "loading", "ready", "busy")
        mine = [f for f in status["failures"] if f["task_id"] == failed]  # the shared database holds other tests' too
        assert mine and mine[0]["error_code"] == "worker_lost", status["failures"]
        assert len(status["failures"]) <= 20


def test_heartbeat_decoding_flags_stale_workers() -> None:
    from app.ops import heartbeat as worker  # what app/worker.py writes
    from app.ops import service

    now = time.time()
    status = worker.WorkerStatus(
        name="gpu-a",
        host="box1",
        pid=7,
        device="cuda:0 NVIDIA H100",
        state="ready",
        current_task="t-1",
        started_at=now - 100,
        last_seen=now - 2,
    )
    fresh = service.decode_heartbeat("gpu-a", msgspec.json.encode(status), now)
    assert (fresh.host, fresh.device, fresh.state, fresh.current_task, fresh.stale) == (
        "box1",
        "cuda:0 NVIDIA H100",
        "ready",
        "t-1",
        False,
    )
    status.last_seen = now - service.STALE_AFTER_S - 1
    assert service.decode_heartbeat("gpu-a", msgspec.json.encode(status), now).stale is True
    garbled = service.decode_heartbeat("ghost", b"not json", now)
    assert garbled.name == "ghost" and garbled.stale is True
