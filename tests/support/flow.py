"""The client flow every user takes, written once and run against any deployment (embedded or distributed)."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import httpx
import msgspec
import numpy as np
from PIL import Image

from app.actors.painter.tiny import make_wall_photo


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def wall_png(width: int = 160, height: int = 120, seed: int = 0) -> bytes:
    return png_bytes(make_wall_photo(width, height, seed=seed))


async def create_and_upload(
    http: httpx.AsyncClient, headers: dict[str, str], photo: bytes, content_type: str = "image/png"
) -> dict[str, Any]:
    r = await http.post("/api/tasks", json={"content_type": content_type, "size_bytes": len(photo)}, headers=headers)
    assert r.status_code == 201, r.text
    created = r.json()
    upload = created["upload"]
    put = await http.request(upload["method"], upload["url"], content=photo, headers=upload["headers"])
    assert put.status_code in (200, 201, 204), put.text
    return created["task"]


async def read_sse(
    http: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    timeout: float = 120,
    last_event_id: str | None = None,
    stop_after: int | None = None,
    into: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every event of a stream as {id, event, data} until the server ends it (or ``stop_after`` events).

    ``into`` receives each event as it arrives (for tests that act while the stream runs).
    """
    events: list[dict[str, Any]] = into if into is not None else []
    h = {**headers, "accept": "text/event-stream"}
    if last_event_id is not None:
        h["last-event-id"] = last_event_id
    current: dict[str, Any] = {}
    async with http.stream("GET", path, headers=h, timeout=httpx.Timeout(timeout, read=timeout)) as response:
        assert response.status_code == 200, await response.aread()
        async for line in response.aiter_lines():
            if line == "":
                if "data" in current or "event" in current:
                    current["data"] = msgspec.json.decode(current["data"]) if current.get("data") else None
                    events.append(current)
                    if stop_after is not None and len(events) >= stop_after:
                        break
                current = {}
            elif line.startswith(":"):
                continue
            else:
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                current[field] = current.get(field, "") + value if field == "data" else value
    return events


async def wait_terminal(
    http: httpx.AsyncClient, headers: dict[str, str], task_id: str, timeout: float = 60
) -> dict[str, Any]:
    """Poll the task until it is succeeded, failed or canceled; its final JSON (a 5xx answer during an
    injected fault is polled past)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = await http.get(f"/api/tasks/{task_id}", headers=headers)
        if r.status_code == 200 and r.json()["status"] in ("succeeded", "failed", "canceled"):
            return dict(r.json())
        await asyncio.sleep(0.2)
    raise AssertionError(f"task {task_id} still not terminal after {timeout}s")


async def stream_until_progress(
    http: httpx.AsyncClient,
    task_id: str,
    headers: dict[str, str],
    *,
    timeout: float = 150,
    min_step: int = 1,
    wait_s: float = 60,
) -> tuple[list[dict[str, Any]], asyncio.Task[list[dict[str, Any]]]]:
    """Open the task's event stream in the background and return once a progress event of at least
    ``min_step`` arrived: (the events so far, growing; the reader task, done when the stream ends)."""
    events: list[dict[str, Any]] = []
    reader = asyncio.create_task(read_sse(http, f"/api/tasks/{task_id}/events", headers, timeout=timeout, into=events))
    deadline = time.monotonic() + wait_s
    while not any(e["event"] == "progress" and e["data"]["step"] >= min_step for e in events):
        if reader.done():
            raise AssertionError(f"the stream ended before step {min_step}: {events[-3:]}")
        assert time.monotonic() < deadline, f"no progress event within {wait_s}s: {events[-3:]}"
        await asyncio.sleep(0.05)
    return events, reader


async def paint(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    photo: bytes,
    *,
    region: dict[str, Any] | None = None,
    theme: str = "ocean",
    prompt: str = "whales and waves",
    steps: int = 4,
    **options: Any,
) -> dict[str, Any]:
    """create → upload → submit → SSE until terminal; returns the final Task and the events seen."""
    task = await create_and_upload(http, headers, photo)
    body = {"theme": theme, "prompt": prompt, "region": region or {"mode": "auto"}, "steps": steps, **options}
    r = await http.post(f"/api/tasks/{task['id']}/submit", json=body, headers=headers)
    assert r.status_code == 202, r.text
    events = await read_sse(http, f"/api/tasks/{task['id']}/events", headers)
    final = (await http.get(f"/api/tasks/{task['id']}", headers=headers)).json()
    return {"task": final, "events": events}


def outside_unchanged(photo: bytes, result: bytes, region_box: tuple[int, int, int, int], margin: int = 48) -> bool:
    """True when every pixel outside the region grown by ``margin`` is identical (PNG photos)."""
    a = np.asarray(Image.open(io.BytesIO(photo)).convert("RGB"))
    b = np.asarray(Image.open(io.BytesIO(result)).convert("RGB"))
    if a.shape != b.shape:
        return False
    x0, y0, x1, y1 = region_box
    keep = np.ones(a.shape[:2], dtype=bool)
    keep[max(0, y0 - margin) : y1 + margin, max(0, x0 - margin) : x1 + margin] = False
    return bool((a[keep] == b[keep]).all())
