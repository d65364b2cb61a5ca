"""``GET /api/tasks?limit=50`` runs at most 4 SQL statements whatever the page size (no N+1): the token, the
page, and the queue's snapshot and mean paint time behind positions and ETAs (each read once, not per task)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec

from app.accounts.tables import User
from app.tasks.tables import Task as TaskRow
from tests.support.server import Server
from tests.support.statements import counted_app, statements_of

# SQLite pass only: counting patches the engine instance, which PostgresEngine does not allow (see note)

MAX_STATEMENTS = 4
STATUSES = ("created", "queued", "running", "succeeded", "failed", "canceled")


async def _tasks_of(user_pk: int, count: int) -> None:
    at = datetime.now(UTC)
    rows = []
    for i in range(count):
        tid, status = uuid.uuid4(), STATUSES[i % len(STATUSES)]
        rows.append(
            TaskRow(
                id=tid,
                owner=user_pk,
                status=status,
                theme="ocean",
                prompt="whales",
                content_type="image/png",
                size_bytes=100,
                input_key=f"tasks/{tid}/input.png",
                variations=2,
                progress_step=i % 5,
                progress_total=5,
                result_keys=msgspec.json.encode(
                    [f"tasks/{tid}/result-1.png", f"tasks/{tid}/result-2.png"] if status == "succeeded" else []
                ).decode(),
                preview_key=f"tasks/{tid}/preview.jpg" if status == "running" else None,
                error_code="no_wall_found" if status == "failed" else None,
                created_at=at - timedelta(seconds=i),
                queued_at=at - timedelta(seconds=i) if status != "created" else None,
                started_at=at if status in ("running", "succeeded") else None,
                heartbeat_at=at,
                finished_at=at if status in ("succeeded", "failed", "canceled") else None,
                worker="elsewhere",
            )
        )
    await TaskRow.insert(*rows)


async def test_task_list_runs_a_fixed_number_of_statements(server: Server) -> None:
    async with counted_app() as (client, log):
        email, password = f"n1-{uuid.uuid4().hex[:8]}@example.com", "correct horse battery"
        assert (
            await client.post("/api/auth/signup", json={"email": email, "password": password, "nickname": "counter"})
        ).status_code == 201
        token = (await client.post("/api/auth/token", json={"email": email, "password": password})).json()
        headers = {"authorization": f"Bearer {token['access_token']}"}
        user = await User.select(User.id).where(User.username == email).first()
        assert user is not None
        await _tasks_of(int(user["id"]), 60)

        for limit in (50, 5, 50, 100):  # the first read meets every cache cold
            statements = await statements_of(client, log, f"/api/tasks?limit={limit}", headers)
            assert len(statements) <= MAX_STATEMENTS, (limit, "\n".join(statements))
            assert any("tasks_task" in sql for sql in statements), statements  # the page itself was counted
        page = (await client.get("/api/tasks?limit=50", headers=headers)).json()
        assert len(page["items"]) == 50 and page["next_cursor"]
        assert {t["status"] for t in page["items"]} == set(STATUSES)
