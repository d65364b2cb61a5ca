"""Storage exhaustion (issue 17, finding 10): tasks waiting for their photo are capped per user, in number and in
declared bytes; uploads land only in tasks that still wait for them; what no task accounts for is swept.

Own server with small caps and a one-second sweep, so the sweep is seen without waiting for the hourly one.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import MAX_UPLOAD_BYTES, Deployed, start_own_server
from tests.support.flow import create_and_upload, wall_png
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.db

HANGUL = re.compile(r"[\uac00-\ud7a3]")
OPEN_TASKS = 3
OPEN_BYTES = 2 * MAX_UPLOAD_BYTES + 1000  # two full-size photos fit, a third does not
GRACE_S = 600


@pytest.fixture(scope="module")
def limited(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    d = start_own_server(
        log_dir,
        tmp_path_factory.mktemp("limits-var"),
        "limits",
        SAEKDAM_MAX_OPEN_TASKS=str(OPEN_TASKS),
        SAEKDAM_MAX_OPEN_UPLOAD_BYTES=str(OPEN_BYTES),
        SAEKDAM_ORPHAN_GRACE_S=str(GRACE_S),
        SAEKDAM_ORPHAN_SWEEP_INTERVAL_S="1",
        SAEKDAM_UPLOAD_URL_TTL_S="60",
    )
    yield d
    d.server.stop()


async def _create(http: httpx.AsyncClient, user: ApiUser, size: int = 1000, lang: str | None = None) -> httpx.Response:
    headers = {**user.headers, **({"accept-language": lang} if lang else {})}
    return await http.post("/api/tasks", json={"content_type": "image/png", "size_bytes": size}, headers=headers)


async def test_open_tasks_are_capped_per_user_and_a_deleted_one_frees_its_slot(limited: Deployed) -> None:
    async with httpx.AsyncClient(base_url=limited.server.url, timeout=60) as http:
        user, other = await new_user(http, "opener"), await new_user(http, "other")
        made = [await _create(http, user) for _ in range(OPEN_TASKS)]
        assert [r.status_code for r in made] == [201] * OPEN_TASKS
        refused = await _create(http, user)
        assert refused.status_code == 429, refused.text
        body = refused.json()
        assert body["code"] == "too_many_open_tasks" and body["status"] == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert HANGUL.search(body["detail"]) and str(OPEN_TASKS) in body["detail"], body
        english = await _create(http, user, lang="en")
        assert english.status_code == 429 and not HANGUL.search(english.json()["detail"])
        assert (await _create(http, other)).status_code == 201  # per user
        listed = (await http.get("/api/tasks", params={"status": "created"}, headers=user.headers)).json()
        assert len(listed["items"]) == OPEN_TASKS  # the refused creates left no task behind
        first = made[0].json()["task"]["id"]
        assert (await http.delete(f"/api/tasks/{first}", headers=user.headers)).status_code == 204
        assert (await _create(http, user)).status_code == 201


async def test_parallel_creates_never_pass_the_cap(limited: Deployed) -> None:
    async with httpx.AsyncClient(base_url=limited.server.url, timeout=60) as http:
        user = await new_user(http, "racer")
        answers = await asyncio.gather(*[_create(http, user) for _ in range(12)])
        assert sum(r.status_code == 201 for r in answers) <= OPEN_TASKS
        assert {r.status_code for r in answers} <= {201, 429}
        listed = (await http.get("/api/tasks", params={"status": "created"}, headers=user.headers)).json()
        assert len(listed["items"]) <= OPEN_TASKS


async def test_declared_upload_bytes_are_capped_per_user_masks_included(limited: Deployed) -> None:
    async with httpx.AsyncClient(base_url=limited.server.url, timeout=60) as http:
        user = await new_user(http, "hoarder")
        assert (await _create(http, user, MAX_UPLOAD_BYTES)).status_code == 201
        second = await _create(http, user, MAX_UPLOAD_BYTES)
        assert second.status_code == 201
        refused = await _create(http, user, MAX_UPLOAD_BYTES)
        assert refused.status_code == 429 and refused.json()["code"] == "upload_quota_exceeded", refused.text
        assert "retry-after" in refused.headers
        tid = second.json()["task"]["id"]
        mask = await http.post(
            f"/api/tasks/{tid}/mask",
            json={"content_type": "image/png", "size_bytes": MAX_UPLOAD_BYTES},
            headers=user.headers,
        )
        assert mask.status_code == 429 and mask.json()["code"] == "upload_quota_exceeded", mask.text
        small = await http.post(
            f"/api/tasks/{tid}/mask", json={"content_type": "image/png", "size_bytes": 500}, headers=user.headers
        )
        assert small.status_code == 201, small.text


async def test_uploads_are_refused_for_tasks_that_are_gone(limited: Deployed) -> None:
    async with httpx.AsyncClient(base_url=limited.server.url, timeout=60) as http:
        user = await new_user(http, "deleter")
        photo = wall_png()
        created = (await _create(http, user, len(photo))).json()
        assert (await http.delete(f"/api/tasks/{created['task']['id']}", headers=user.headers)).status_code == 204
        r = await http.put(created["upload"]["url"], content=photo, headers=created["upload"]["headers"])
        assert r.status_code == 404 and r.json()["code"] == "not_found", r.text
        objects = limited.storage_dir / "objects" / "tasks" / created["task"]["id"]
        assert not objects.exists() or not any(objects.rglob("*"))


async def _backdate(d: Deployed, task_id: str, seconds: int) -> None:
    """Move a task's ``created_at`` into the past (as the sweep would see an old task)."""
    if d.database_url:
        import asyncpg

        conn = await asyncpg.connect(d.database_url)
        try:
            await conn.execute(
                f"UPDATE tasks_task SET created_at = created_at - interval '{seconds} seconds' WHERE id = $1",
                uuid.UUID(task_id),
            )
        finally:
            await conn.close()
        return
    import sqlite3

    conn = sqlite3.connect(d.var_dir / "saekdam.sqlite", timeout=30)
    try:
        (value,) = conn.execute("SELECT created_at FROM tasks_task WHERE id = ?", (task_id,)).fetchone()
        sep = "T" if "T" in value else " "
        older = (datetime.fromisoformat(value) - timedelta(seconds=seconds)).isoformat(sep=sep)
        conn.execute("UPDATE tasks_task SET created_at = ? WHERE id = ?", (older, task_id))
        conn.commit()
    finally:
        conn.close()


def _plant(d: Deployed, key: str, age_s: float) -> Path:
    """An object in the local store that no task accounts for, written ``age_s`` seconds ago."""
    path = d.storage_dir / "objects" / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(wall_png())
    when = time.time() - age_s
    os.utime(path, (when, when))
    return path


async def test_orphaned_objects_and_abandoned_tasks_are_swept_after_the_grace(limited: Deployed) -> None:
    async with httpx.AsyncClient(base_url=limited.server.url, timeout=60) as http:
        user = await new_user(http, "sweeper")
        old_orphan = _plant(limited, f"tasks/{uuid.uuid4()}/input.png", GRACE_S + 60)
        fresh_orphan = _plant(limited, f"tasks/{uuid.uuid4()}/input.png", 5)
        abandoned = (await _create(http, user)).json()["task"]["id"]  # never gets its photo
        kept = await create_and_upload(http, user.headers, wall_png())  # has its photo: may still be submitted
        own_old = _plant(limited, f"tasks/{kept['id']}/extra.png", GRACE_S + 60)  # its task exists: kept
        for tid in (abandoned, str(kept["id"])):
            await _backdate(limited, tid, GRACE_S + 3600)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
            old_orphan.exists() or (await http.get(f"/api/tasks/{abandoned}", headers=user.headers)).status_code != 404
        ):
            await asyncio.sleep(0.5)
        assert not old_orphan.exists(), "an old object of no task was not swept"
        assert (await http.get(f"/api/tasks/{abandoned}", headers=user.headers)).status_code == 404
        assert fresh_orphan.exists(), "an object younger than the grace was swept"
        assert own_old.exists()
        task = await http.get(f"/api/tasks/{kept['id']}", headers=user.headers)
        assert task.status_code == 200 and task.json()["status"] == "created" and task.json()["input_url"]
