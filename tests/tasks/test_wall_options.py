"""api.md "Painting on the wall (v1.1)" over real HTTP: options echoed, quads checked, painted mask, artworks."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.support.flow import create_and_upload, png_bytes, wait_terminal, wall_png
from tests.support.users import new_user

pytestmark = pytest.mark.db

SUBMIT = {"theme": "ocean", "prompt": "고래와 파도", "steps": 2}
QUAD = [[30, 20], [180, 30], [175, 130], [35, 120]]


def window_wall_png(width: int = 220, height: int = 160) -> tuple[bytes, tuple[int, int, int, int]]:
    """A bright wall over most of the photo with a near-black window inside it (x0, y0, x1, y1)."""
    rng = np.random.default_rng(3)
    px = rng.integers(20, 80, (height, width, 3), dtype=np.uint8)
    px[8 : height - 12, 10 : width - 10] = rng.integers(215, 236, (height - 20, width - 20, 3), dtype=np.uint8)
    window = (96, 56, 128, 88)
    px[window[1] : window[3], window[0] : window[2]] = rng.integers(5, 30, (32, 32, 3), dtype=np.uint8)
    return png_bytes(Image.fromarray(px, "RGB")), window


async def _get(client: httpx.AsyncClient, url: str) -> bytes:
    r = await client.get(url)
    assert r.status_code == 200, r.text
    return r.content


async def test_options_are_echoed_with_the_values_used(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await create_and_upload(client, user.headers, wall_png())
    r = await client.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={
            **SUBMIT,
            "region": {"mode": "box", "box": [20, 12, 120, 70]},
            "blend": "cover",
            "protect": False,
            "detail": "standard",
            "guide": "none",
            "wall_size_m": [4, 2.5],
        },
    )
    assert r.status_code == 202, r.text
    body = r.json()
    assert (body["blend"], body["protect"], body["detail"], body["guide"], body["wall_size_m"]) == (
        "cover",
        False,
        "standard",
        "none",
        [4.0, 2.5],
    )
    assert body["artwork_urls"] == []
    done = await wait_terminal(client, user.headers, task["id"])
    assert done["status"] == "succeeded", done
    assert done["blend"] == "cover" and done["detail"] == "standard" and done["artwork_urls"] == []
    assert done["progress"]["step"] == done["progress"]["total"] == 2  # the steps painted, not 1/1

    retry = await client.post(f"/api/tasks/{task['id']}/retry", headers=user.headers)
    assert retry.status_code == 201
    again = retry.json()
    assert (again["blend"], again["protect"], again["guide"], again["wall_size_m"]) == (
        "cover",
        False,
        "none",
        [4.0, 2.5],
    )


async def test_defaults(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await create_and_upload(client, user.headers, wall_png())
    r = await client.post(
        f"/api/tasks/{task['id']}/submit", headers=user.headers, json={**SUBMIT, "region": {"mode": "auto"}}
    )
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["blend"] == "wall" and body["protect"] is True and body["wall_size_m"] is None
    assert body["guide"] == "none"  # the theme's default
    done = await wait_terminal(client, user.headers, task["id"])
    assert done["status"] == "succeeded" and done["detail"] == "standard"  # the CPU's choice


@pytest.mark.parametrize(
    "points",
    [
        [[30, 20], [180, 30], [60, 60], [35, 120]],  # concave
        [[30, 20], [35, 120], [175, 130], [180, 30]],  # wrong order (counter-clockwise)
        [[-5, 20], [180, 30], [175, 130], [35, 120]],  # outside
        [[30, 20], [250, 30], [175, 130], [35, 120]],  # outside (right)
        [[30, 20], [80, 20], [80, 130], [30, 130]],  # a side < 64 px
        [[30, 20], [180, 30], [175, 130]],  # 3 points
        [[30, 20], [180, 30], [175, 130], [35, 120], [30, 60]],  # 5 points
        [[30, 20, 1], [180, 30], [175, 130], [35, 120]],  # not a pair
        None,
    ],
)
async def test_bad_quads_are_400_naming_region(client: httpx.AsyncClient, points: object) -> None:
    user = await new_user(client)
    task = await create_and_upload(client, user.headers, wall_png(220, 160))
    region: dict[str, object] = {"mode": "quad"}
    if points is not None:
        region["points"] = points
    r = await client.post(f"/api/tasks/{task['id']}/submit", headers=user.headers, json={**SUBMIT, "region": region})
    assert r.status_code == 400, r.text
    assert "region" in {e["field"] for e in r.json()["errors"]}
    assert (await client.get(f"/api/tasks/{task['id']}", headers=user.headers)).json()["status"] == "created"


async def test_bad_option_values_are_400(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await create_and_upload(client, user.headers, wall_png())
    r = await client.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={
            **SUBMIT,
            "region": {"mode": "auto"},
            "blend": "glue",
            "protect": "yes",
            "detail": "ultra",
            "guide": "edges",
            "wall_size_m": [0.1, 500],
        },
    )
    assert r.status_code == 400
    assert {e["field"] for e in r.json()["errors"]} >= {"blend", "protect", "detail", "guide", "wall_size_m"}


async def test_wall_suggests_a_quad(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task = await create_and_upload(client, user.headers, wall_png(200, 150))
    r = await client.post(f"/api/tasks/{task['id']}/wall", headers=user.headers)
    assert r.status_code == 200, r.text
    quad = r.json()["quad"]
    assert quad is not None and len(quad) == 4
    (tlx, tly), (trx, try_), (brx, bry), (blx, bly) = quad
    # make_wall_photo's wall spans x 10–90 %, y 8–70 %
    assert tlx < 40 and tly < 30 and trx > 160 and bry > 85 and blx < 40
    assert all(0 <= x <= 200 and 0 <= y <= 150 for x, y in quad)


async def test_quad_task_serves_artworks_and_painted_mask(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    photo, _ = window_wall_png()
    task = await create_and_upload(client, user.headers, photo)
    r = await client.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={**SUBMIT, "region": {"mode": "quad", "points": QUAD}, "variations": 2, "wall_size_m": [3, 2]},
    )
    assert r.status_code == 202, r.text
    assert r.json()["region"]["points"] == [[float(x), float(y)] for x, y in QUAD]
    done = await wait_terminal(client, user.headers, task["id"])
    assert done["status"] == "succeeded", done
    assert len(done["artwork_urls"]) == 2
    art = Image.open(io.BytesIO(await _get(client, done["artwork_urls"][0])))
    assert art.format == "PNG" and abs(art.width / art.height - 1.5) <= 0.03 * 1.5
    mask = np.asarray(Image.open(io.BytesIO(await _get(client, done["mask_url"]))).convert("L")) > 0
    assert mask.shape == (160, 220) and mask[70, 60] and not mask[5, 5]
    assert not mask[60:84, 100:124].any()  # the window was kept out of the painted mask


async def test_box_with_a_window_keeps_it_out_unless_told(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    photo, (left, t, r, b) = window_wall_png()
    pixels = np.asarray(Image.open(io.BytesIO(photo)).convert("RGB"))
    masks = {}
    for protect in (True, False):
        task = await create_and_upload(client, user.headers, photo)
        r_ = await client.post(
            f"/api/tasks/{task['id']}/submit",
            headers=user.headers,
            json={**SUBMIT, "region": {"mode": "box", "box": [20, 12, 180, 136]}, "protect": protect},
        )
        assert r_.status_code == 202, r_.text
        done = await wait_terminal(client, user.headers, task["id"])
        assert done["status"] == "succeeded" and done["protect"] is protect
        masks[protect] = np.asarray(Image.open(io.BytesIO(await _get(client, done["mask_url"]))).convert("L")) > 0
        out = np.asarray(Image.open(io.BytesIO(await _get(client, done["result_urls"][0]))).convert("RGB"))
        inner = (slice(t + 4, b - 4), slice(left + 4, r - 4))
        assert np.array_equal(out[inner], pixels[inner]) is protect
    assert not masks[True][t:b, left:r].any() and masks[False][t:b, left:r].all()
