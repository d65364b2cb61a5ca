"""The whole client flow against the embedded default (one process, SQLite, local storage, in-process queue)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.flow import outside_unchanged, paint, wall_png
from tests.support.users import new_user

pytestmark = pytest.mark.db


async def test_box_flow_paints_only_the_region(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    photo = wall_png(400, 300)
    out = await paint(client, user.headers, photo, region={"mode": "box", "box": [20, 20, 120, 100]}, seed=7)
    task, events = out["task"], out["events"]
    assert task["status"] == "succeeded", task
    assert task["seed"] == 7 and len(task["result_urls"]) == 1
    kinds = [e["event"] for e in events]
    assert kinds[0] == "task" and kinds[-1] == "status" and events[-1]["data"]["status"] == "succeeded"
    progress = [e["data"] for e in events if e["event"] == "progress"]
    assert progress and progress[-1]["step"] == progress[-1]["total"] == 4
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids) and len(set(ids[1:])) == len(ids) - 1
    result = await client.get(task["result_urls"][0])
    assert result.status_code == 200 and result.headers["content-type"] == "image/png"
    assert outside_unchanged(photo, result.content, (20, 20, 140, 120))
    original = await client.get(task["input_url"])
    assert original.content == photo  # the photo is served unchanged and never overwritten


async def test_auto_flow_and_late_snapshot(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    out = await paint(client, user.headers, wall_png(), theme="nature", prompt="푸른 숲과 사슴")
    task = out["task"]
    assert task["status"] == "succeeded", task
    assert task["prompt"] == "푸른 숲과 사슴" and task["prompt_en"]
    from tests.support.flow import read_sse

    late = await read_sse(client, f"/api/tasks/{task['id']}/events", user.headers)
    assert len(late) == 1 and late[0]["event"] == "task" and late[0]["data"]["status"] == "succeeded"
