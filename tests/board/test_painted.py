"""The whole way once, with real painting (tiny models): photo → task → post, and what the board copies."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from app.actors.painter.tiny import make_wall_photo
from tests.support.flow import create_and_upload, read_sse
from tests.support.users import new_user

pytestmark = pytest.mark.db


def phone_jpeg() -> bytes:
    """A JPEG as phones write it: stored sideways with an orientation tag, and personal metadata."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x013B] = "Alice Kim"  # Artist
    exif[0x010F] = "PhoneMaker"  # Make
    buf = io.BytesIO()
    make_wall_photo(200, 150, seed=3).save(buf, "JPEG", quality=95, exif=exif)
    return buf.getvalue()


async def test_publish_a_painted_task(client: httpx.AsyncClient) -> None:
    user = await new_user(client, "painter")
    photo = phone_jpeg()
    task = await create_and_upload(client, user.headers, photo, "image/jpeg")
    early = await client.post(
        "/api/posts",
        headers=user.headers,
        json={"task_id": task["id"], "result_index": 0, "title": "Too early to share"},
    )
    assert early.status_code == 409 and early.json()["code"] == "task_not_succeeded"
    r = await client.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={"theme": "ocean", "prompt": "whales", "region": {"mode": "box", "box": [10, 10, 100, 120]}, "steps": 2},
    )
    assert r.status_code == 202, r.text
    await read_sse(client, f"/api/tasks/{task['id']}/events", user.headers)
    final = (await client.get(f"/api/tasks/{task['id']}", headers=user.headers)).json()
    assert final["status"] == "succeeded", final

    r = await client.post(
        "/api/posts", headers=user.headers, json={"task_id": task["id"], "result_index": 0, "title": "Painted for real"}
    )
    assert r.status_code == 201, r.text
    post = r.json()
    assert post["theme"] == "ocean"
    after = await client.get(post["after_url"])
    assert after.content == (await client.get(final["result_urls"][0])).content  # the result, byte for byte
    before = await client.get(post["before_url"])
    assert before.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(before.content)) as shown, Image.open(io.BytesIO(after.content)) as painted:
        assert shown.size == painted.size == (150, 200)  # upright, like the result
        assert not shown.getexif()  # no orientation left to apply, no name, no camera
    assert b"Alice Kim" not in before.content
    thumb = await client.get(post["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(thumb.content)) as small:
        assert small.size == (150, 112)  # the result's centre 4:3 (never enlarged), the lists' one shape
    assert thumb.content == (await client.get(final["thumbnail_urls"][0])).content  # the task's own, copied
