"""``GET /api/tasks/{id}`` answers with an ETag, and 304 with no body while the task is unchanged; every
event of a task (queued, running, each progress step, the end) changes its ETag.

The events are made here the way the job makes them (the same row writes as app/tasks/jobs.py, straight
into the database the server uses): the test then knows exactly which state each read sees.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from app.tasks.tables import Task as TaskRow
from tests.support.flow import create_and_upload, wall_png
from tests.support.users import new_user

pytestmark = pytest.mark.db


async def _read(http: httpx.AsyncClient, path: str, headers: dict[str, str], previous: str | None) -> str:
    """Read the task; with the previous ETag it must have changed (200 and a new tag)."""
    r = await http.get(path, headers={**headers, **({"if-none-match": previous} if previous else {})})
    assert r.status_code == 200, r.text
    etag = r.headers["etag"]
    assert etag != previous and r.json()["id"] == path.rsplit("/", 1)[1]
    again = await http.get(path, headers={**headers, "if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    return etag


async def test_each_event_of_a_task_changes_its_etag(client: httpx.AsyncClient) -> None:
    user = await new_user(client, "etag")
    task = await create_and_upload(client, user.headers, wall_png())
    path = f"/api/tasks/{task['id']}"
    tid = uuid.UUID(task["id"])
    first = await client.get(path, headers=user.headers)
    assert first.status_code == 200 and first.headers["etag"].startswith('W/"')
    assert first.headers["cache-control"] == "private, no-cache"
    etag = first.headers["etag"]

    now = datetime.now(UTC)
    steps = 4
    # queued → running (the worker takes it: its heartbeat keeps the app's own painter away) → each step
    await TaskRow.update(
        {TaskRow.status: "queued", TaskRow.queued_at: now, TaskRow.theme: "ocean", TaskRow.prompt: "whales"}
    ).where(TaskRow.id == tid)
    seen = [etag, await _read(client, path, user.headers, etag)]
    await TaskRow.update(
        {
            TaskRow.status: "running",
            TaskRow.started_at: now,
            TaskRow.worker: "etag-test",
            TaskRow.heartbeat_at: now,
            TaskRow.attempts: 1,
        }
    ).where(TaskRow.id == tid)
    seen.append(await _read(client, path, user.headers, seen[-1]))
    for step in range(1, steps + 1):
        await TaskRow.update(
            {
                TaskRow.progress_step: step,
                TaskRow.progress_total: steps,
                TaskRow.heartbeat_at: datetime.now(UTC),
            }
        ).where(TaskRow.id == tid)
        r = await client.get(path, headers={**user.headers, "if-none-match": seen[-1]})
        assert r.status_code == 200 and r.json()["progress"]["step"] == step, r.text
        seen.append(r.headers["etag"])
    await TaskRow.update({TaskRow.status: "canceled", TaskRow.finished_at: datetime.now(UTC)}).where(TaskRow.id == tid)
    seen.append(await _read(client, path, user.headers, seen[-1]))
    assert len(set(seen)) == len(seen), seen  # one tag per state, never one seen before

    # the tag is the body's: another reader's If-None-Match of another task gets the body
    other = await create_and_upload(client, user.headers, wall_png(seed=1))
    r = await client.get(f"/api/tasks/{other['id']}", headers={**user.headers, "if-none-match": seen[-1]})
    assert r.status_code == 200 and r.headers["etag"] != seen[-1]
    assert (await client.get(path, headers={**user.headers, "if-none-match": "*"})).status_code == 304
    both = f'W/"nope", {seen[-1]}'
    assert (await client.get(path, headers={**user.headers, "if-none-match": both})).status_code == 304
