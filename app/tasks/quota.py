"""The task quota: at most ``max_concurrent_tasks`` active and ``max_tasks_per_day`` units of work a day per user.

Usage is counted in ``TaskUsage`` (append-only; deleting a task gives nothing back), weighed by the work asked
for: one unit is one variation of the default 25 steps, so ``variations=4, steps=50`` costs 8. The check and the
state change that uses the quota run in one transaction that holds the owner's lock (``owner_lock``): PostgreSQL
locks the user's row (``FOR UPDATE``, seen by every API process), SQLite takes its write lock at ``BEGIN
IMMEDIATE``. Parallel submits and retries therefore queue up and each sees the others' usage.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from app.accounts.tables import User
from app.core.errors import RateLimited
from app.core.settings import Settings
from app.tasks.schemas import ACTIVE
from app.tasks.tables import Task as TaskRow
from app.tasks.tables import TaskUsage

UNIT_STEPS = 25  # the themes' default steps: 1 variation × 25 steps is one unit
DAY = timedelta(days=1)
_LOCK_SQL = f"SELECT id FROM {User._meta.tablename} WHERE id = {{}} FOR UPDATE"


def work_units(variations: int, steps: int | None) -> float:
    """What a task costs of the daily quota: variations × steps relative to 1 × 25, at least 1."""
    return max(1.0, round(max(1, variations) * (steps or 0) / UNIT_STEPS, 3))


@contextlib.asynccontextmanager
async def owner_lock(owner_id: int) -> AsyncIterator[None]:
    """A write transaction holding the owner's quota lock until it commits (or rolls back on an error)."""
    db: Engine = TaskRow._meta.db
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
        return
    async with db.transaction():
        await User.raw(_LOCK_SQL, owner_id)
        yield


async def check(settings: Settings, owner_id: int, units: float) -> None:
    """429 when ``units`` more would pass the owner's concurrent or daily limit. Authoritative only inside
    ``owner_lock``; outside it, a cheap early refusal."""
    active = await TaskRow.count().where((TaskRow.owner == owner_id) & TaskRow.status.is_in(list(ACTIVE)))
    if active >= settings.max_concurrent_tasks:
        raise RateLimited("too_many_active_tasks", retry_after=30, params={"max": settings.max_concurrent_tasks})
    now = datetime.now(UTC)
    rows = await (
        TaskUsage.select(TaskUsage.units, TaskUsage.created_at)
        .where((TaskUsage.owner == owner_id) & (TaskUsage.created_at >= now - DAY))
        .order_by(TaskUsage.created_at)
    )
    used = sum(float(r["units"]) for r in rows)
    limit = settings.max_tasks_per_day
    if used + units <= limit:
        return
    wait = DAY.total_seconds()  # more than a whole day's quota: a day is the honest answer
    freed = 0.0
    for r in rows:  # the oldest usage ages out first
        freed += float(r["units"])
        if used - freed + units <= limit:
            wait = (_aware(r["created_at"]) + DAY - now).total_seconds()
            break
    raise RateLimited("daily_quota_exceeded", retry_after=int(wait) + 1, params={"max": limit})


async def record(owner_id: int, task_id: object, units: float) -> None:
    """Count an accepted task (inside the same ``owner_lock`` as its ``check``)."""
    await TaskUsage.insert(TaskUsage(owner=owner_id, task_id=task_id, units=units))


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
