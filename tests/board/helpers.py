"""Board test helpers: succeeded tasks straight in the database and the store (no painting), admins, SSE."""

from __future__ import annotations

import asyncio
import contextlib
import io
import uuid
from collections.abc import Callable
from datetime import UTC
from typing import Any

import httpx
import msgspec
from PIL import Image

from tests.support.users import ApiUser


def image_bytes(color: tuple[int, int, int], size: tuple[int, int] = (96, 64), fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


def wall_scene(seed: int = 0, size: tuple[int, int] = (640, 480), mural: bool = False) -> Image.Image:
    """A brick wall under a sky (before) or the same wall with a colourful mural on it (after)."""
    import math
    import random

    from PIL import ImageDraw

    rnd = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size, (178, 205, 230))
    d = ImageDraw.Draw(img)
    top, bottom = int(h * 0.18), int(h * 0.82)
    d.rectangle([0, bottom, w, h], fill=(92, 96, 100))
    base = (168 + rnd.randint(-12, 12), 150 + rnd.randint(-12, 12), 138 + rnd.randint(-12, 12))
    bh, bw = 22, 56
    for row, y in enumerate(range(top, bottom, bh)):
        offset = (row % 2) * bw // 2
        for x in range(-offset, w, bw):
            tone = rnd.randint(-14, 14)
            d.rectangle([x + 2, y + 2, x + bw - 2, y + bh - 2], fill=tuple(max(0, min(255, c + tone)) for c in base))
    if mural:
        palettes = [
            ((14, 116, 144), (56, 189, 248), (250, 204, 21)),
            ((21, 128, 61), (134, 239, 172), (251, 146, 60)),
            ((76, 29, 149), (167, 139, 250), (253, 224, 71)),
            ((190, 18, 60), (251, 113, 133), (254, 240, 138)),
        ]
        deep, light, sun = palettes[seed % len(palettes)]
        x0, x1 = int(w * 0.08), int(w * 0.92)
        for y in range(top + 6, bottom - 6):
            f = (y - top) / (bottom - top)
            color = tuple(int(deep[i] * f + light[i] * (1 - f)) for i in range(3))
            d.line([x0, y, x1, y], fill=color)
        d.ellipse([int(w * 0.66), top + 24, int(w * 0.66) + 70, top + 94], fill=sun)
        for k in range(3):
            pts = [(x, int(bottom - 40 - k * 34 + 12 * math.sin(x / 40 + k + seed))) for x in range(x0, x1, 8)]
            d.line(pts, fill=(255, 255, 255), width=5)
        d.polygon(
            [
                (int(w * 0.25), int(h * 0.55)),
                (int(w * 0.42), int(h * 0.47)),
                (int(w * 0.52), int(h * 0.55)),
                (int(w * 0.42), int(h * 0.62)),
            ],
            fill=(30, 41, 59),
        )
    return img


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


async def make_task(
    user: ApiUser,
    *,
    results: int = 1,
    status: str = "succeeded",
    theme: str = "ocean",
    content_type: str = "image/png",
    scene: int | None = None,
) -> str:
    """A task of ``user`` as the painter would have left it, without painting (fast, any mode)."""
    from app.tasks.tables import Task

    ext = "png" if content_type == "image/png" else "jpg"
    fmt = "PNG" if ext == "png" else "JPEG"
    tid = uuid.uuid4()
    storage = _storage()
    input_key = f"tasks/{tid}/input.{ext}"

    def encoded(image: Image.Image) -> bytes:
        buf = io.BytesIO()
        image.save(buf, format=fmt)
        return buf.getvalue()

    photo = encoded(wall_scene(scene)) if scene is not None else image_bytes((120, 110, 100), fmt=fmt)
    await storage.put(input_key, photo, content_type)
    keys: list[str] = []
    if status == "succeeded":
        for i in range(results):
            key = f"tasks/{tid}/result-{i + 1}.{ext}"
            result = (
                encoded(wall_scene(scene + i, mural=True))
                if scene is not None
                else image_bytes((30 * i, 90, 200), fmt=fmt)
            )
            await storage.put(key, result, content_type)
            keys.append(key)
    from datetime import datetime

    at = datetime.now(UTC)
    # a "running" task looks alive (started, heartbeat) so housekeeping leaves it alone
    await Task.insert(
        Task(
            id=tid,
            owner=await user_pk(user),
            status=status,
            theme=theme,
            prompt="whales",
            content_type=content_type,
            size_bytes=len(photo),
            input_key=input_key,
            result_keys=msgspec.json.encode(keys).decode(),
            variations=max(1, results),
            queued_at=at,
            started_at=at,
            heartbeat_at=at,
            finished_at=at if status == "succeeded" else None,
        )
    )
    return str(tid)


async def make_admin(user: ApiUser) -> None:
    from app.accounts.tables import User

    await User.update({User.admin: True, User.superuser: True}).where(User.public_id == uuid.UUID(user.id))


async def publish(
    http: httpx.AsyncClient,
    user: ApiUser,
    title: str = "Ocean mural",
    content: str = "Whales",
    anonymous: bool = False,
    theme: str = "ocean",
    scene: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    task_id = await make_task(user, theme=theme, scene=scene)
    r = await http.post(
        "/api/posts",
        json={
            "task_id": task_id,
            "result_index": 0,
            "title": title,
            "content": content,
            "anonymous": anonymous,
            **extra,
        },
        headers=user.headers,
    )
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
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task

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
                        self._ready.set()  # a resumed stream starts with the replay, not with "ready"
                    current = {}
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                current[field] = (
                    current.get(field, "") + ("\n" if field == "data" and field in current else "") + value
                    if field == "data"
                    else value
                )

    async def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float = 10) -> dict[str, Any]:
        async def find() -> dict[str, Any]:
            while True:
                for event in self.events:
                    if match(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)


class Writers:
    """Hands out users with posting quota left (each user may publish 10 posts an hour)."""

    def __init__(self, http: httpx.AsyncClient, per_user: int = 10) -> None:
        self.http, self.per_user = http, per_user
        self._user: ApiUser | None = None
        self._used = 0

    async def next(self) -> ApiUser:
        from tests.support.users import new_user

        if self._user is None or self._used >= self.per_user:
            self._user, self._used = await new_user(self.http, "writer"), 0
        self._used += 1
        return self._user
