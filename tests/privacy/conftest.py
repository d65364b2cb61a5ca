"""The privacy tests share one painted and published post of a neighbour, on the accounts deployment."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import pytest_asyncio
from PIL import Image

from tests.support.accounts import AccountsDeployment
from tests.support.flow import create_and_upload, paint, png_bytes, read_sse, wall_png
from tests.support.users import ApiUser, new_user

BOX = {"mode": "box", "box": [16, 16, 96, 72]}


async def paint_with_mask(http: httpx.AsyncClient, user: ApiUser, variations: int = 2) -> dict[str, Any]:
    """A succeeded task of ``user`` painted through a mask it uploaded (photo, mask and results stored)."""
    task = await create_and_upload(http, user.headers, wall_png(seed=3))
    mask = np.zeros((120, 160), dtype=np.uint8)
    mask[20:100, 30:130] = 255
    body = png_bytes(Image.fromarray(mask))
    r = await http.post(
        f"/api/tasks/{task['id']}/mask",
        json={"content_type": "image/png", "size_bytes": len(body)},
        headers=user.headers,
    )
    assert r.status_code == 201, r.text
    up = r.json()["upload"]
    assert (await http.put(up["url"], content=body, headers=up["headers"])).status_code == 201
    r = await http.post(
        f"/api/tasks/{task['id']}/submit",
        json={"theme": "nature", "prompt": "숲과 새", "steps": 2, "variations": variations, "region": {"mode": "mask"}},
        headers=user.headers,
    )
    assert r.status_code == 202, r.text
    await read_sse(http, f"/api/tasks/{task['id']}/events", user.headers)
    final = dict((await http.get(f"/api/tasks/{task['id']}", headers=user.headers)).json())
    assert final["status"] == "succeeded", final
    return final


async def publish(http: httpx.AsyncClient, user: ApiUser, task_id: str, title: str, **extra: Any) -> dict[str, Any]:
    r = await http.post(
        "/api/posts", json={"task_id": task_id, "result_index": 0, "title": title, **extra}, headers=user.headers
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def neighbour(accounts: AccountsDeployment) -> tuple[ApiUser, dict[str, Any]]:
    async with httpx.AsyncClient(base_url=accounts.url, timeout=120) as http:
        user = await new_user(http, "이웃")
        task = (await paint(http, user.headers, wall_png(seed=2), region=BOX, steps=2))["task"]
        assert task["status"] == "succeeded", task
        return user, await publish(http, user, task["id"], "이웃의 벽화")
