"""The task quota: concurrent and daily limits, the weighed usage record, and the caps on open tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.errors import AppError
from app.tasks import quota
from app.tasks.service import now
from app.tasks.tables import Task as TaskRow
from app.tasks.tables import TaskUsage
from tests.unit.services import Services
from tests.unit.tasks.helpers import created, submit_data, submitted, uploaded


async def usage(owner_id: int) -> list[float]:
    rows = await TaskUsage.select(TaskUsage.units).where(TaskUsage.owner == owner_id).order_by(TaskUsage.id)
    return [float(r["units"]) for r in rows]


@pytest.mark.parametrize(
    ("variations", "steps", "units"),
    [
        (1, 25, 1.0),
        (4, 50, 8.0),
        (2, 25, 2.0),
        (1, 50, 2.0),
        (3, 10, 1.2),
        (1, 10, 1.0),
        (1, None, 1.0),
    ],
)
def test_work_units_weigh_variations_times_steps_over_25(variations: int, steps: int | None, units: float) -> None:
    assert quota.work_units(variations, steps) == units


async def test_submit_records_the_weighed_usage(services: Services) -> None:
    owner = await services.user()
    big = await submitted(services, owner, variations=4, steps=50)
    default = await submitted(services, owner, variations=2)  # the theme's default of 25 steps

    rows = await TaskUsage.select(TaskUsage.task_id, TaskUsage.units).where(TaskUsage.owner == owner.id)
    assert {(r["task_id"], float(r["units"])) for r in rows} == {(big.id, 8.0), (default.id, 2.0)}


async def test_daily_limit_counts_units_not_tasks(services: Services) -> None:
    s = services.with_settings(max_tasks_per_day=10, max_concurrent_tasks=10)
    owner = await s.user()
    await submitted(s, owner, variations=4, steps=50)  # 8
    await submitted(s, owner, variations=2)  # 10: exactly the limit
    waiting = await uploaded(s, owner)

    with pytest.raises(AppError) as refused:
        await s.tasks.submit(owner.id, str(waiting.id), submit_data(), None, "en")

    assert (refused.value.status, refused.value.code) == (429, "daily_quota_exceeded")
    assert refused.value.params == {"max": 10}
    # nothing ages out before a day has passed
    assert 23 * 3600 < int(refused.value.headers["Retry-After"]) <= 24 * 3600 + 1
    assert await usage(owner.id) == [8.0, 2.0]
    again = await TaskRow.select(TaskRow.status).where(TaskRow.id == waiting.id).first()
    assert again == {"status": "created"}
    assert await s.queue.depth() == 2


async def test_usage_ages_out_after_a_day_oldest_first(services: Services) -> None:
    s = services.with_settings(max_tasks_per_day=3, max_concurrent_tasks=10)
    owner = await s.user()
    for _ in range(3):
        await submitted(s, owner)
    first = await TaskUsage.select(TaskUsage.id).where(TaskUsage.owner == owner.id).order_by(TaskUsage.id).first()
    assert first is not None
    await TaskUsage.update({TaskUsage.created_at: now() - timedelta(hours=23)}).where(TaskUsage.id == first["id"])
    with pytest.raises(AppError) as refused:
        await submitted(s, owner)
    # the oldest unit frees a slot in about an hour
    assert 3500 <= int(refused.value.headers["Retry-After"]) <= 3602

    await TaskUsage.update({TaskUsage.created_at: now() - timedelta(hours=25)}).where(TaskUsage.id == first["id"])
    row = await submitted(s, owner)
    assert row.status == "queued"


async def test_deleting_a_task_gives_no_slot_back(services: Services) -> None:
    s = services.with_settings(max_tasks_per_day=2, max_concurrent_tasks=10)
    owner = await s.user()
    for _ in range(2):
        row = await submitted(s, owner)
        await s.tasks.delete(owner.id, str(row.id))
    assert await TaskRow.count().where(TaskRow.owner == owner.id) == 0
    assert await usage(owner.id) == [1.0, 1.0]

    with pytest.raises(AppError) as refused:
        await submitted(s, owner)

    assert (refused.value.status, refused.value.code) == (429, "daily_quota_exceeded")


async def test_concurrent_limit_counts_active_tasks_only(services: Services) -> None:
    s = services.with_settings(max_concurrent_tasks=2, max_tasks_per_day=50)
    owner = await s.user()
    first = await submitted(s, owner)
    second = await submitted(s, owner)
    assert await s.tasks.transition(second.id, ("queued",), "running", started_at=now()) is not None

    with pytest.raises(AppError) as refused:
        await submitted(s, owner)
    assert (refused.value.status, refused.value.code) == (429, "too_many_active_tasks")
    assert refused.value.params == {"max": 2}
    assert refused.value.headers["Retry-After"] == "30"
    assert await usage(owner.id) == [1.0, 1.0]  # a refused submit is not counted

    assert await s.tasks.transition(first.id, ("queued",), "succeeded", finished_at=now()) is not None
    third = await submitted(s, owner)
    assert third.status == "queued"


async def test_limits_are_per_user(services: Services) -> None:
    s = services.with_settings(max_concurrent_tasks=1, max_tasks_per_day=1)
    one, two = await s.user(), await s.user()
    await submitted(s, one)
    with pytest.raises(AppError):
        await submitted(s, one)
    assert (await submitted(s, two)).status == "queued"


async def test_retry_is_counted_like_a_submit(services: Services) -> None:
    s = services.with_settings(max_tasks_per_day=3, max_concurrent_tasks=10)
    owner = await s.user()
    row = await submitted(s, owner, variations=2)  # 2
    assert await s.tasks.transition(row.id, ("queued",), "failed", finished_at=now()) is not None

    with pytest.raises(AppError) as refused:
        await s.tasks.retry(owner.id, str(row.id), None, "en")  # 2 more: 4 > 3

    assert (refused.value.status, refused.value.code) == (429, "daily_quota_exceeded")
    assert await TaskRow.count().where(TaskRow.owner == owner.id) == 1  # no copy was made
    assert not [k for k in await s.storage.list_keys("tasks/") if not k.startswith(f"tasks/{row.id}/")]
    assert await usage(owner.id) == [2.0]

    s2 = s.with_settings(max_tasks_per_day=4)
    copy = await s2.tasks.retry(owner.id, str(row.id), None, "en")
    assert copy.status == "queued" and copy.retry_of == row.id
    assert await usage(owner.id) == [2.0, 2.0]


async def test_open_tasks_cap_and_the_refused_row_goes(services: Services) -> None:
    s = services.with_settings(max_open_tasks=3)
    owner = await s.user()
    waiting = [await created(s, owner) for _ in range(3)]

    with pytest.raises(AppError) as refused:
        await created(s, owner)

    assert (refused.value.status, refused.value.code) == (429, "too_many_open_tasks")
    assert refused.value.params == {"max": 3}
    assert await TaskRow.count().where(TaskRow.owner == owner.id) == 3
    # deleting one that waits for its photo frees its place
    await s.tasks.delete(owner.id, str(waiting[0].id))
    assert (await created(s, owner)).status == "created"


async def test_open_upload_bytes_cap(services: Services) -> None:
    s = services.with_settings(max_open_upload_bytes=5000, max_upload_bytes=4000)
    owner = await s.user()
    await created(s, owner, size_bytes=3000)

    with pytest.raises(AppError) as refused:
        await created(s, owner, size_bytes=2500)

    assert (refused.value.status, refused.value.code) == (429, "upload_quota_exceeded")
    assert await TaskRow.count().where(TaskRow.owner == owner.id) == 1
    assert (await created(s, owner, size_bytes=2000)).size_bytes == 2000  # 5000 in all: at the cap
