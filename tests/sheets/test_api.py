"""api.md "The painter's sheet (v1.1)" over real HTTP: shape, quantities, reuse, files, 400/404/409."""

from __future__ import annotations

import io
import time

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.support.flow import create_and_upload, wait_terminal, wall_png
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.db

SUBMIT = {"theme": "ocean", "prompt": "고래와 파도", "steps": 2, "region": {"mode": "box", "box": [20, 12, 120, 80]}}


async def _painted(client: httpx.AsyncClient, user: ApiUser, **options: object) -> dict:
    task = await create_and_upload(client, user.headers, wall_png(200, 120))
    r = await client.post(f"/api/tasks/{task['id']}/submit", headers=user.headers, json={**SUBMIT, **options})
    assert r.status_code == 202, r.text
    done = await wait_terminal(client, user.headers, task["id"])
    assert done["status"] == "succeeded", done
    return done


@pytest.fixture(scope="module")
async def painted(server: object) -> tuple[ApiUser, dict]:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:  # type: ignore[attr-defined]
        user = await new_user(client, "painter")
        return user, await _painted(client, user, wall_size_m=[4, 2.5])


async def test_sheet_shape_and_quantities(client: httpx.AsyncClient, painted: tuple[ApiUser, dict]) -> None:
    user, task = painted
    r = await client.post(f"/api/tasks/{task['id']}/sheet", json={"result": 1, "colors": 8}, headers=user.headers)
    assert r.status_code == 200, r.text
    sheet = r.json()
    assert {"result", "colors", "width_m", "height_m", "image_url", "pdf_url"} <= set(sheet)
    assert sheet["result"] == 1 and (sheet["width_m"], sheet["height_m"]) == (4.0, 2.5)
    colors = sheet["colors"]
    assert 1 <= len(colors) <= 8
    assert [c["number"] for c in colors] == list(range(1, len(colors) + 1))
    for c in colors:
        assert {"number", "hex", "name", "share", "area_m2", "litres"} <= set(c)
        assert c["code"].startswith("RAL ") and c["hex"].startswith("#") and len(c["hex"]) == 7
        assert c["litres"] == pytest.approx(c["area_m2"] * 2 / 10, abs=0.011)
    assert abs(sum(c["share"] for c in colors) - 1) <= 0.01
    # area: the painted region's part of its bounding box, on a 4 m × 2.5 m wall
    mask = np.asarray(Image.open(io.BytesIO((await client.get(task["mask_url"])).content)).convert("L")) >= 128
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    box = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    painted_m2 = box.mean() * 10.0
    assert abs(sum(c["area_m2"] for c in colors) - painted_m2) <= 0.02 * painted_m2

    png = await client.get(sheet["image_url"])
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    pdf = await client.get(sheet["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert "sheet-1-8" in sheet["pdf_url"]


async def test_made_once_and_reused(client: httpx.AsyncClient, painted: tuple[ApiUser, dict]) -> None:
    user, task = painted
    first = (await client.post(f"/api/tasks/{task['id']}/sheet", json={"colors": 6}, headers=user.headers)).json()
    started = time.monotonic()
    again = await client.post(f"/api/tasks/{task['id']}/sheet", json={"colors": 6}, headers=user.headers)
    assert again.status_code == 200
    reused = time.monotonic() - started
    assert again.json()["colors"] == first["colors"]
    a = (await client.get(first["image_url"])).content
    b = (await client.get(again.json()["image_url"])).content
    assert a == b
    assert reused < 5  # read back, not made again (a loose bound: only to catch a re-render loop)


async def test_defaults_without_a_body(client: httpx.AsyncClient, painted: tuple[ApiUser, dict]) -> None:
    user, task = painted
    r = await client.post(f"/api/tasks/{task['id']}/sheet", headers=user.headers)
    assert r.status_code == 200, r.text
    assert r.json()["result"] == 1 and len(r.json()["colors"]) <= 12
    assert "sheet-1-12" in r.json()["image_url"]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"colors": 3}, "colors"),
        ({"colors": 25}, "colors"),
        ({"colors": "many"}, "colors"),
        ({"result": 0}, "result"),
        ({"result": 2}, "result"),
    ],
)
async def test_bad_input_is_400_naming_the_field(
    client: httpx.AsyncClient, painted: tuple[ApiUser, dict], body: dict, field: str
) -> None:
    user, task = painted
    r = await client.post(
        f"/api/tasks/{task['id']}/sheet", json=body, headers={**user.headers, "Accept-Language": "en"}
    )
    assert r.status_code == 400, r.text
    error = r.json()
    assert error["status"] == 400 and field in {e["field"] for e in error["errors"]}, error


async def test_other_users_task_is_404_and_unfinished_is_409(
    client: httpx.AsyncClient, painted: tuple[ApiUser, dict]
) -> None:
    _, task = painted
    stranger = await new_user(client, "stranger")
    r = await client.post(f"/api/tasks/{task['id']}/sheet", json={}, headers=stranger.headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = await client.post("/api/tasks/not-a-uuid/sheet", json={}, headers=stranger.headers)
    assert r.status_code == 404
    fresh = await create_and_upload(client, stranger.headers, wall_png())
    r = await client.post(
        f"/api/tasks/{fresh['id']}/sheet", json={}, headers={**stranger.headers, "Accept-Language": "ko"}
    )
    assert r.status_code == 409 and r.json()["code"] == "task_not_succeeded"
    assert "도안" in r.json()["detail"]
    r = await client.post(f"/api/tasks/{task['id']}/sheet", json={})
    assert r.status_code == 401


async def test_without_a_wall_size_areas_are_null(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await _painted(client, user)
    r = await client.post(f"/api/tasks/{task['id']}/sheet", json={"colors": 4}, headers=user.headers)
    assert r.status_code == 200, r.text
    sheet = r.json()
    assert sheet["width_m"] is None and sheet["height_m"] is None
    assert all(c["area_m2"] is None and c["litres"] is None for c in sheet["colors"])
    assert abs(sum(c["share"] for c in sheet["colors"]) - 1) <= 0.01
