"""Content-filter review in Piccolo Admin: tasks whose results the safety check held from the public board,
and a form to look at them (signed links to the results) and release them."""

from __future__ import annotations

import uuid
from typing import Any

from piccolo_admin.endpoints import FormConfig, TableConfig
from piccolo_api.crud.endpoints import OrderBy
from pydantic import BaseModel, Field
from starlette.requests import Request

from app.tasks.service import TaskService, _json
from app.tasks.tables import Task

MENU = "Moderation"

HELD = TableConfig(
    Task,
    visible_columns=[
        Task.id,
        Task.owner,
        Task.status,
        Task.held,
        Task.released,
        Task.safety,
        Task.theme,
        Task.finished_at,
    ],
    visible_filters=[Task.held, Task.released, Task.status, Task.owner],
    menu_group=MENU,
    # the id links to the row: Piccolo Admin's schema leaves a UUID primary key out of its properties, and a
    # listed column without one breaks the list view unless it is the link column (see app/board/admin.py)
    link_column=Task.id,
    order_by=[OrderBy(Task.finished_at, ascending=False)],
)


class ReviewHeld(BaseModel):
    task_id: str = Field(description="The task's id (Task table, filter held = true)")
    release: bool = Field(
        default=False,
        description="Tick to allow its held results on the board; leave unticked to get links to look at them first",
    )


def _tasks(request: Request) -> TaskService:
    """The TaskService of the Litestar app this admin is mounted in."""
    return request.scope["litestar_app"].state.services.tasks


async def review_held(request: Request, data: ReviewHeld) -> str:
    service = _tasks(request)
    try:
        row = await service.get(str(uuid.UUID(data.task_id.strip())))
    except ValueError:
        row = None
    if row is None:
        raise ValueError("No task with that id")
    if data.release:
        await Task.update({Task.released: True}).where(Task.id == row.id)
        return f"Task {row.id}: its results may be published now"
    verdicts: list[str] = _json(row.safety, [])
    keys: list[str] = _json(row.result_keys, [])
    links = [
        f"{i + 1}: {verdicts[i] if i < len(verdicts) else 'not checked (older task)'} "
        f"{await service.storage.download_url(key, 600)}"
        for i, key in enumerate(keys)
    ]
    released = "released" if row.released else "not released"
    return f"Task {row.id} ({released}); links valid 10 minutes — " + " | ".join(links or ["no results"])


FORMS: list[Any] = [
    FormConfig(
        name="Review held result",
        pydantic_model=ReviewHeld,
        endpoint=review_held,
        form_group=MENU,
        description="Results the safety check held stay private to their owner. Look at them here and "
        "release them for the board.",
    ),
]
TABLES = [HELD]
