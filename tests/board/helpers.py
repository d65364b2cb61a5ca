"""Board test helpers: succeeded tasks straight in the database and the store (no painting), admins, SSE."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import msgspec
from PIL import Image

from tests.support.users import ApiUser


def image_bytes(color: tuple[int, int, int], size: tuple[int, int] = (96, 64), fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


def _storage() -> Any:
    from app.core.settings import get_settings
    from app.storage.local import LocalStorage

    s = get_settings()
    return LocalStorage(s.storage_dir, s.secret_key, s.base_url, s.max_upload_bytes)


async def user_pk(user: ApiUser) -> int:
    from app.accounts.tables import User

    row = await User.select(User.id).where(User.public_id == uuid.UUID(user.id)).first()
    assert row is not None
    return int(row["id"])


async def make_task(user: ApiUser, *, results: int = 1, status: str = "succeeded", theme: str = "ocean",
                    content_type: str = "image/png") -> str:
    """A task of ``user`` as the painter would have left it, without painting (fast, any mode)."""
    from app.tasks.tables import Task

    ext = "png" if content_type == "image/png" else "jpg"
    fmt = "PNG" if ext == "png" else "JPEG"
    tid = uuid.uuid4()
    storage = _storage()
    input_key = f"tasks/{tid}/input.{ext}"
    photo = image_bytes((120, 110, 100), fmt=fmt)
    await storage.put(input_key, photo, content_type)
    keys: list[str] = []
    if status == "succeeded":
        for i in range(results):
            key = f"tasks/{tid}/result-{i + 1}.{ext}"
            await storage.put(key, image_bytes((30 * i, 90, 200), fmt=fmt), content_type)
            keys.append(key)
    await Task.insert(Task(id=tid, owner=await user_pk(user), status=status, theme=theme, prompt="whales",
                           content_type=content_type, size_bytes=len(photo), input_key=input_key,
                           result_keys=msgspec.json.encode(keys).decode(), variations=max(1, results)))
    return str(tid)


async def make_admin(user: ApiUser) -> None:
    from app.accounts.tables import User

    await User.update({User.admin: True, User.superuser: True}).where(User.public_id == uuid.UUID(user.id))


async def publish(http: httpx.AsyncClient, user: ApiUser, title: str = "Ocean mural", content: str = "Whales",
                  anonymous: bool = False, theme: str = "ocean", **extra: Any) -> dict[str, Any]:
    task_id = await make_task(user, theme=theme)
    r = await http.post("/api/posts", json={"task_id": task_id, "result_index": 0, "title": title, "content": content,
                                            "anonymous": anonymous, **extra}, headers=user.headers)
    assert r.status_code == 201, r.text
    return r.json()


class SseReader:
    """Reads an endless SSE stream in the background; ``wait_for`` returns once a matching event arrived."""

    def __init__(self, http: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None) -> None:
        self.http, self.path, self.headers = http, path, headers or {}
        self.events: list[dict[str, Any]] = []
        self.comments: list[str] = []
        self._ready = asyncio.Event()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> SseReader:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._ready.wait(), 15)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self._task is not None
        self._task.cancel()
        try:
            await self._task
        except (asyncio.CancelledError, Exception):
            pass

    async def _run(self) -> None:
        current: dict[str, Any] = {}
        headers = {**self.headers, "accept": "text/event-stream"}
        async with self.http.stream("GET", self.path, headers=headers, timeout=httpx.Timeout(60, read=None)) as resp:
            assert resp.status_code == 200, await resp.aread()
            async for line in resp.aiter_lines():
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                    if line[1:].strip() == "ready":
                        self._ready.set()
                    continue
                if line == "":
                    if "event" in current or "data" in current:
                        raw = current.get("data")
                        try:
                            current["data"] = msgspec.json.decode(raw) if raw else None
                        except msgspec.DecodeError:
                            current["data"] = raw
                        self.events.append(current)
                        self._changed.set()
                    current = {}
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                current[field] = current.get(field, "") + ("\n" if field == "data" and field in current else "") + value \
                    if field == "data" else value

    async def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float = 10) -> dict[str, Any]:
        async def find() -> dict[str, Any]:
            while True:
                for event in self.events:
                    if match(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)
