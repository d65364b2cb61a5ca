"""TaskService.transition: the moves it allows, the ones it refuses, and the status events it publishes."""

from __future__ import annotations

import pytest

from app.core.errors import AppError
from app.tasks.service import now
from app.tasks.tables import Task as TaskRow
from tests.unit.services import Services
from tests.unit.tasks.helpers import Recorder, created, submit_data, submitted


async def status_of(task_id: object) -> str:
    row = await TaskRow.select(TaskRow.status).where(TaskRow.id == task_id).first()
    assert row is not None
    return str(row["status"])


async def test_happy_path_publishes_one_status_event_per_move(services: Services) -> None:
    owner = await services.user()
    row = await created(services, owner)
    rec = await Recorder(services, str(row.id)).begin()
    tasks = services.tasks

    queued = await tasks.transition(row.id, ("created",), "queued", queued_at=now())
    running = await tasks.transition(row.id, ("queued",), "running", started_at=now(), worker="w1")
    done = await tasks.transition(row.id, ("running",), "succeeded", held_by="w1", finished_at=now())

    assert queued is not None and queued.status == "queued" and queued.queued_at is not None
    assert running is not None and running.status == "running" and running.worker == "w1"
    assert done is not None and done.status == "succeeded" and done.finished_at is not None
    assert await status_of(row.id) == "succeeded"
    events = await rec.statuses()
    assert [e["status"] for e in events] == ["queued", "running", "succeeded"]
    assert all(e["id"] == str(row.id) for e in events)
    assert events[-1]["progress"]["fraction"] == 1.0
    # every move into, inside or out of the line is broadcast for the waiting streams
    assert [m["status"] for m in await rec.queue_moves()] == ["queued", "running", "succeeded"]


@pytest.mark.parametrize("end", ["failed", "canceled"])
async def test_running_task_can_end_failed_or_canceled(services: Services, end: str) -> None:
    owner = await services.user()
    row = await submitted(services, owner)
    assert row.status == "queued"
    assert await services.tasks.transition(row.id, ("queued",), "running", started_at=now()) is not None
    rec = await Recorder(services, str(row.id)).begin()

    moved = await services.tasks.transition(
        row.id, ("queued", "running"), end, finished_at=now(), error_code="paint_failed" if end == "failed" else None
    )

    assert moved is not None and moved.status == end
    events = await rec.statuses()
    assert [e["status"] for e in events] == [end]
    if end == "failed":
        assert events[0]["error"]["code"] == "paint_failed"
    else:
        assert events[0]["error"] is None


@pytest.mark.parametrize(
    ("start", "from_states", "to"),
    [
        ("created", ("queued",), "running"),  # skipping the line
        ("succeeded", ("queued", "running"), "running"),  # backwards out of an end state
        ("canceled", ("running",), "succeeded"),  # a late result for a canceled task
        ("failed", ("queued",), "queued"),  # a repeated enqueue message
    ],
)
async def test_refused_moves_change_nothing_and_publish_nothing(
    services: Services, start: str, from_states: tuple[str, ...], to: str
) -> None:
    owner = await services.user()
    row = await created(services, owner)
    await TaskRow.update({TaskRow.status: start}).where(TaskRow.id == row.id)
    rec = await Recorder(services, str(row.id)).begin()

    assert await services.tasks.transition(row.id, from_states, to) is None

    assert await status_of(row.id) == start
    assert await rec.statuses() == []
    assert await rec.queue_moves() == []


async def test_cancel_of_active_task_ends_it(services: Services) -> None:
    owner = await services.user()
    row = await submitted(services, owner)
    rec = await Recorder(services, str(row.id)).begin()

    canceled = await services.tasks.cancel(owner.id, str(row.id))

    assert canceled.status == "canceled" and canceled.finished_at is not None
    assert [e["status"] for e in await rec.statuses()] == ["canceled"]


@pytest.mark.parametrize("end", ["succeeded", "failed", "canceled"])
async def test_cancel_of_finished_task_is_409_invalid_state(services: Services, end: str) -> None:
    owner = await services.user()
    row = await submitted(services, owner)
    assert await services.tasks.transition(row.id, ("queued",), end, finished_at=now()) is not None
    rec = await Recorder(services, str(row.id)).begin()

    with pytest.raises(AppError) as refused:
        await services.tasks.cancel(owner.id, str(row.id))

    assert (refused.value.status, refused.value.code) == (409, "invalid_state")
    assert refused.value.params == {"status": end}
    assert await status_of(row.id) == end
    assert await rec.statuses() == []


async def test_cancel_of_another_users_task_is_404(services: Services) -> None:
    owner, other = await services.user(), await services.user()
    row = await submitted(services, owner)

    with pytest.raises(AppError) as refused:
        await services.tasks.cancel(other.id, str(row.id))

    assert refused.value.status == 404
    assert await status_of(row.id) == "queued"


async def test_held_by_lets_only_the_holding_worker_write(services: Services) -> None:
    owner = await services.user()
    row = await submitted(services, owner)
    tasks = services.tasks
    assert await tasks.transition(row.id, ("queued",), "running", started_at=now(), worker="worker-a") is not None
    rec = await Recorder(services, str(row.id)).begin()

    # worker-b took over after a lost heartbeat... or worker-a's late write after that: refused
    assert await tasks.transition(row.id, ("running",), "succeeded", held_by="worker-b") is None
    assert await tasks.fail(str(row.id), "paint_failed", from_states=("running",), held_by="worker-b") is None
    assert await status_of(row.id) == "running"
    assert await rec.statuses() == []

    done = await tasks.transition(row.id, ("running",), "succeeded", held_by="worker-a", finished_at=now())
    assert done is not None and done.status == "succeeded"
    assert [e["status"] for e in await rec.statuses()] == ["succeeded"]


async def test_status_events_carry_codes_not_text_of_one_language(services: Services) -> None:
    """Events go to every client: the error's detail is the painter's own, not Korean or English text."""
    owner = await services.user()
    row = await submitted(services, owner)
    rec = await Recorder(services, str(row.id)).begin()

    failed = await services.tasks.fail(str(row.id), "worker_lost", detail="worker vanished")

    assert failed is not None and failed.error_code == "worker_lost"
    (event,) = await rec.statuses()
    assert event["status"] == "failed"
    assert event["error"] == {"code": "worker_lost", "detail": "worker vanished"}


async def test_submit_enqueues_once_and_a_second_submit_is_refused(services: Services) -> None:
    owner = await services.user()
    row = await submitted(services, owner)

    assert await services.queue.depth() == 1
    assert await services.queue.position(str(row.id)) == 0
    with pytest.raises(AppError) as refused:
        await services.tasks.submit(owner.id, str(row.id), submit_data(), None, "en")
    assert (refused.value.status, refused.value.code) == (409, "invalid_state")
    assert await services.queue.depth() == 1
