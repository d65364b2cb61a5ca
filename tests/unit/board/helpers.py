"""Posts for the fast board tests: published through the services, or rows written straight for list queries."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from app.board.schemas import Post, PostCreate, PostQuery, Sort, Viewer
from app.board.tables import Post as PostRow
from app.tasks.service import now
from tests.unit.services import Services
from tests.unit.tasks.helpers import photo_png, submitted


async def painted(services: Services, owner: Viewer) -> str:
    """A succeeded task with one result in storage (what the painter leaves behind); returns its id."""
    row = await submitted(services, owner)
    tasks = services.tasks
    assert await tasks.transition(row.id, ("queued",), "running", started_at=now(), worker="w") is not None
    key = f"tasks/{row.id}/result-0.png"
    await services.storage.put(key, photo_png(), "image/png")
    done = await tasks.transition(
        row.id,
        ("running",),
        "succeeded",
        held_by="w",
        finished_at=now(),
        result_keys=msgspec.json.encode([key]).decode(),
    )
    assert done is not None
    return str(row.id)


async def published(services: Services, author: Viewer, title: str = "A painted wall") -> Post:
    """A post made the way ``POST /api/posts`` makes it."""
    task_id = await painted(services, author)
    return await services.board.publish(author, PostCreate(task_id=task_id, result_index=0, title=title), "en")


async def post_row(
    author: Viewer,
    at: datetime,
    likes: int = 0,
    comments: int = 0,
    title: str = "A row post",
    post_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """A post row written directly (the list queries are the subject; its image keys are never read)."""
    pid = post_id or uuid.uuid4()
    await PostRow.insert(
        PostRow(
            id=pid,
            author=author.id,
            source=f"row:{pid}",
            title=title,
            before_key=f"posts/{pid}/before.png",
            after_key=f"posts/{pid}/after.png",
            like_count=likes,
            comment_count=comments,
            created_at=at,
            updated_at=at,
        )
    )
    return pid


async def all_pages(services: Services, sort: Sort, limit: int) -> list[list[str]]:
    """Every page of a public list, following the cursors; the ids on each page."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        page = await services.board.list_page(PostQuery(sort=sort, cursor=cursor, limit=limit), "en")
        pages.append([p.id for p in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor
        assert len(pages) < 100, "the cursors go round in circles"


async def listed(services: Services, sort: Sort = "latest") -> list[str]:
    services.board.cache.bump()  # what the database says now, not a page cached a moment ago
    return [i for page in await all_pages(services, sort, 50) for i in page]
