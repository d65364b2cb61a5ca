"""Building tasks for the fast tests through the service itself, and reading what it published."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from app.board.schemas import Viewer
from app.core.events import Event
from app.tasks.schemas import RegionIn, TaskCreate, TaskSubmit
from app.tasks.service import channel
from app.tasks.tables import Task as TaskRow
from app.tasks.waiting import QUEUE_CHANNEL
from tests.unit.services import Services


def photo_png(width: int = 96, height: int = 80) -> bytes:
    """A small valid photo (the painter's checks want both sides ≥ 64 px)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 120, 90)).save(out, "PNG")
    return out.getvalue()


async def created(services: Services, owner: Viewer, size_bytes: int = 1000) -> TaskRow:
    """A task waiting for its photo (``POST /api/tasks``)."""
    row, _ = await services.tasks.create(owner.id, TaskCreate(content_type="image/png", size_bytes=size_bytes))
    return row


async def uploaded(services: Services, owner: Viewer) -> TaskRow:
    """A ``created`` task whose photo is in storage, ready to submit."""
    photo = photo_png()
    row = await created(services, owner, len(photo))
    await services.storage.put(row.input_key, photo, "image/png")
    return row


def submit_data(variations: int = 1, steps: int | None = None, theme: str = "nature") -> TaskSubmit:
    return TaskSubmit(theme=theme, prompt="a forest", region=RegionIn(mode="auto"), variations=variations, steps=steps)


async def submitted(services: Services, owner: Viewer, variations: int = 1, steps: int | None = None) -> TaskRow:
    """A queued task, through create, upload and submit (quota checked and recorded)."""
    row = await uploaded(services, owner)
    return await services.tasks.submit(owner.id, str(row.id), submit_data(variations, steps), None, "en")


class Recorder:
    """Events published on a task's channel and the queue channel after the recorder was made."""

    def __init__(self, services: Services, task_id: str) -> None:
        self.bus = services.bus
        self.task_id = task_id
        self.start: dict[str, int] = {}

    async def begin(self) -> Recorder:
        for name in (channel(self.task_id), QUEUE_CHANNEL):
            self.start[name] = await self.bus.last_id(name)
        return self

    async def events(self, name: str) -> list[Event]:
        found = await self.bus.history(name, self.start[name])
        assert found is not None, f"history of {name} no longer reaches back"
        return found

    async def statuses(self) -> list[dict[str, Any]]:
        """The ``status`` events' data on the task's channel, oldest first."""
        return [e.data for e in await self.events(channel(self.task_id)) if e.event == "status"]

    async def queue_moves(self) -> list[dict[str, Any]]:
        return [e.data for e in await self.events(QUEUE_CHANNEL) if e.data.get("task") == self.task_id]
