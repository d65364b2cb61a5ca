"""The task quota holds under races and deletions, and weighs tasks by the work they ask for.

Its own server: 2 tasks at once and 3 units a day per user, the painter off so that queued tasks stay active.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.reliability.conftest import Deployed, start_own_server, state
from tests.support.flow import create_and_upload, wall_png
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.db

SUBMIT = {"theme": "ocean", "prompt": "고래와 파도", "region": {"mode": "box", "box": [10, 10, 100, 80]}, "steps": 25}


@pytest.fixture(scope="module")
def quota_server(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    d = start_own_server(
        log_dir,
        tmp_path_factory.mktemp("quota-var"),
        "quota",
        SAEKDAM_MAX_CONCURRENT_TASKS="2",
        SAEKDAM_MAX_TASKS_PER_DAY="3",
        SAEKDAM_RUN_PAINTER_IN_API="false",
        SAEKDAM_MAX_UPLOAD_BYTES=str(25 * 1024 * 1024),
    )
    yield d
    d.server.stop()


@pytest.fixture
async def http(quota_server: Deployed) -> Any:
    async with httpx.AsyncClient(base_url=quota_server.server.url, timeout=120) as client:
        yield client


async def tasks_of(http: httpx.AsyncClient, user: ApiUser, n: int, photo: bytes | None = None) -> list[str]:
    photo = photo or wall_png()
    return [(await create_and_upload(http, user.headers, photo))["id"] for _ in range(n)]


async def submit(
    http: httpx.AsyncClient, user: ApiUser, task_id: str, key: str | None = None, **change: Any
) -> httpx.Response:
    headers = {**user.headers, **({"idempotency-key": key} if key else {})}
    return await http.post(f"/api/tasks/{task_id}/submit", json={**SUBMIT, **change}, headers=headers)


async def cancel(http: httpx.AsyncClient, user: ApiUser, task_id: str) -> None:
    r = await http.post(f"/api/tasks/{task_id}/cancel", headers=user.headers)
    assert r.status_code == 202, r.text


async def usage_rows(d: Deployed) -> int:
    return (await state(d)).counts()["tasks_usage"]


def assert_refused(r: httpx.Response, code: str) -> None:
    assert r.status_code == 429, r.text
    assert r.json()["code"] == code and int(r.headers["retry-after"]) > 0, r.text


async def test_deleting_a_task_does_not_give_its_daily_slot_back(http: httpx.AsyncClient) -> None:
    user = await new_user(http, "deleter")
    for task_id in await tasks_of(http, user, 3):
        assert (await submit(http, user, task_id)).status_code == 202
        await cancel(http, user, task_id)
        assert (await http.delete(f"/api/tasks/{task_id}", headers=user.headers)).status_code == 204
    [fourth] = await tasks_of(http, user, 1)
    refused = await submit(http, user, fourth)
    assert_refused(refused, "daily_quota_exceeded")
    assert 80_000 < int(refused.headers["retry-after"]) <= 86_401
    task = (await http.get(f"/api/tasks/{fourth}", headers=user.headers)).json()
    assert task["status"] == "created"  # a refused submit leaves the task as it was


async def test_parallel_submits_get_exactly_what_the_quota_allows(http: httpx.AsyncClient) -> None:
    user = await new_user(http, "racer")
    first = await tasks_of(http, user, 8)
    answers = await asyncio.gather(*[submit(http, user, t) for t in first])
    statuses = Counter(r.status_code for r in answers)
    assert statuses == {202: 2, 429: 6}, [r.text for r in answers]  # 2 at once
    assert {r.json()["code"] for r in answers if r.status_code == 429} == {"too_many_active_tasks"}
    for r in answers:
        if r.status_code == 202:
            await cancel(http, user, r.json()["id"])

    second = await tasks_of(http, user, 8)
    answers = await asyncio.gather(*[submit(http, user, t) for t in second])
    assert Counter(r.status_code for r in answers) == {202: 1, 429: 7}, [r.text for r in answers]  # 3 a day
    listed = (await http.get("/api/tasks?limit=100", headers=user.headers)).json()["items"]
    assert sum(t["status"] != "created" for t in listed) == 3


async def test_parallel_retries_get_exactly_what_the_quota_allows(
    http: httpx.AsyncClient, quota_server: Deployed
) -> None:
    user = await new_user(http, "retrier")
    [task_id] = await tasks_of(http, user, 1)
    assert (await submit(http, user, task_id)).status_code == 202
    await cancel(http, user, task_id)
    before = await usage_rows(quota_server)
    answers = await asyncio.gather(*[http.post(f"/api/tasks/{task_id}/retry", headers=user.headers) for _ in range(6)])
    assert Counter(r.status_code for r in answers) == {201: 2, 429: 4}, [r.text for r in answers]
    assert await usage_rows(quota_server) == before + 2


async def test_usage_is_weighed_by_variations_and_steps(http: httpx.AsyncClient) -> None:
    user = await new_user(http, "heavy")
    big, bigger, small, huge = await tasks_of(http, user, 4)
    assert_refused(await submit(http, user, huge, variations=4, steps=50), "daily_quota_exceeded")  # 8 units
    assert (await submit(http, user, big, variations=2)).status_code == 202  # 2 × 25 steps: 2 units
    assert_refused(await submit(http, user, bigger, variations=1, steps=50), "daily_quota_exceeded")  # 2 more
    assert (await submit(http, user, small, steps=10)).status_code == 202  # under 1 × 25 still counts 1


async def test_parallel_submits_with_one_idempotency_key_all_get_the_first_answer(
    http: httpx.AsyncClient, quota_server: Deployed
) -> None:
    user = await new_user(http, "idem")
    [task_id] = await tasks_of(http, user, 1, wall_png(1600, 1200))  # a photo that takes a moment to check
    before = await usage_rows(quota_server)
    answers = await asyncio.gather(*[submit(http, user, task_id, key="one-key") for _ in range(8)])
    assert [r.status_code for r in answers] == [202] * 8, [r.text for r in answers]
    assert await usage_rows(quota_server) == before + 1  # counted once
    bodies = [r.json() for r in answers]
    assert {(b["id"], b["status"], b["seed"], b["queued_at"]) for b in bodies} == {
        (task_id, "queued", bodies[0]["seed"], bodies[0]["queued_at"])
    }
    again = await submit(http, user, task_id, key="one-key")
    assert again.status_code == 202 and again.json()["queued_at"] == bodies[0]["queued_at"]
    other = await submit(http, user, task_id, key="another-key")
    assert other.status_code == 409
