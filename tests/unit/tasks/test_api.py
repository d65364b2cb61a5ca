"""The task API in process (Litestar's test client): a task's life over HTTP, and the error shapes."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.unit.http import bearer
from tests.unit.tasks.helpers import photo_png


async def queued_task(api: AsyncTestClient[Litestar], auth: dict[str, str]) -> dict[str, object]:
    photo = photo_png()
    r = await api.post("/api/tasks", json={"content_type": "image/png", "size_bytes": len(photo)}, headers=auth)
    assert r.status_code == 201, r.text
    task, upload = r.json()["task"], r.json()["upload"]
    assert task["status"] == "created"
    r = await api.request(upload["method"], upload["url"], content=photo, headers=upload["headers"])
    assert r.status_code in (200, 201, 204), r.text
    r = await api.post(
        f"/api/tasks/{task['id']}/submit",
        headers=auth,
        json={"theme": "nature", "prompt": "a forest", "region": {"mode": "auto"}},
    )
    assert r.status_code == 202, r.text
    return r.json()


async def test_submit_cancel_and_a_second_cancel_over_http(api: AsyncTestClient[Litestar]) -> None:
    r = await api.get("/api/tasks")
    assert (r.status_code, r.json()["code"]) == (401, "not_authenticated")
    auth = await bearer(api, "walker")
    task = await queued_task(api, auth)
    assert task["status"] == "queued" and task["queue_position"] == 0

    r = await api.post(f"/api/tasks/{task['id']}/cancel", headers=auth)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "canceled"

    r = await api.post(f"/api/tasks/{task['id']}/cancel", headers={**auth, "Accept-Language": "en"})
    assert r.status_code == 409
    body = r.json()
    assert (body["status"], body["code"]) == (409, "invalid_state")
    assert isinstance(body["detail"], str) and body["detail"]

    r = await api.get(f"/api/tasks/{task['id']}", headers=auth)
    assert r.json()["status"] == "canceled"


async def test_other_users_tasks_are_404_and_quota_is_429(api: AsyncTestClient[Litestar]) -> None:
    owner, other = await bearer(api, "owner"), await bearer(api, "other")
    task = await queued_task(api, owner)

    r = await api.post(f"/api/tasks/{task['id']}/cancel", headers=other)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")

    limit = api.app.state.settings.max_concurrent_tasks
    for _ in range(limit - 1):
        await queued_task(api, owner)
    photo = photo_png()
    r = await api.post("/api/tasks", json={"content_type": "image/png", "size_bytes": len(photo)}, headers=owner)
    created = r.json()
    await api.request(
        created["upload"]["method"], created["upload"]["url"], content=photo, headers=created["upload"]["headers"]
    )
    r = await api.post(
        f"/api/tasks/{created['task']['id']}/submit",
        headers=owner,
        json={"theme": "nature", "prompt": "a forest", "region": {"mode": "auto"}},
    )
    assert (r.status_code, r.json()["code"]) == (429, "too_many_active_tasks")
    assert int(r.headers["Retry-After"]) > 0
