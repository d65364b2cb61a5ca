"""Small copies for pages: the paint job makes a thumbnail and a display copy per result and a display copy of
the photo, next to them; older tasks get theirs lazily once when listed; a post copies them. Lists load the
thumbnails (4:3 WebP ≤ 60 KB), the before/after views the display copies; downloads stay full size."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from PIL import Image

from app.core.image_variants import DISPLAY_MAX_BYTES, MAX_BYTES
from tests.board.helpers import make_task
from tests.support.flow import paint, wall_png
from tests.support.users import new_user

pytestmark = pytest.mark.db


async def webp(client: httpx.AsyncClient, url: str, max_bytes: int) -> tuple[int, int]:
    r = await client.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp", url
    assert len(r.content) <= max_bytes
    with Image.open(io.BytesIO(r.content)) as img:
        assert img.format == "WEBP" and not img.info.get("exif")
        return img.size


def is_4_3(size: tuple[int, int]) -> bool:
    return abs(size[0] * 3 - size[1] * 4) <= 4


async def test_the_paint_job_makes_the_small_copies(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    out = await paint(client, user.headers, wall_png(480, 270), variations=2, seed=3)  # a 16:9 photo
    task = out["task"]
    assert task["status"] == "succeeded", task
    assert len(task["thumbnail_urls"]) == len(task["display_urls"]) == len(task["result_urls"]) == 2
    for url in task["thumbnail_urls"]:
        assert await webp(client, url, MAX_BYTES) == (360, 270)  # the centre 4:3, never enlarged
    for url in [*task["display_urls"], task["input_display_url"]]:
        assert await webp(client, url, DISPLAY_MAX_BYTES) == (480, 270)  # the whole picture
    page = await client.get("/murals", headers=user.headers)
    assert page.status_code == 200
    images = re.findall(r"<img [^>]*>", page.text.split('id="mural-list"', 1)[1])
    assert images and all('width="640" height="480"' in tag for tag in images)
    html = page.text.replace("&amp;", "&")
    assert task["thumbnail_urls"][0].split("?")[0] in html
    assert task["result_urls"][0].split("?")[0] not in html  # no full-size result in a list
    assert 'loading="lazy"' not in images[0] and 'fetchpriority="high"' in images[0]  # the first one is the LCP

    final = (await client.get(f"/tasks/{task['id']}", headers=user.headers)).text.replace("&amp;", "&")
    compare = re.search(r'<div class="compare ([^"]*)"[^>]*>\s*<img ([^>]*)>\s*<div[^>]*><img ([^>]*)>', final)
    assert compare, "no before/after view"
    assert "sized fit-1777" in compare.group(1)  # sized from the task's 480×270 before anything loads
    assert "display-result-1.webp" in compare.group(2) and 'width="480" height="270"' in compare.group(2)
    assert "display-input.webp" in compare.group(3)
    picks = re.findall(r'<button[^>]*data-compare-pick="([^"]*)"[^>]*>\s*<img ([^>]*)>', final)
    assert len(picks) == 2 and all("display-result-" in p and "thumb-result-" in img for p, img in picks)
    downloads = re.findall(r'<a class="button[^"]*" href="([^"]+)" download', final)
    singles = [d.split("?")[0] for d in downloads if not d.endswith("/results.zip")]
    assert singles == [u.split("?")[0] for u in task["result_urls"]]  # full size
    assert f"/tasks/{task['id']}/results.zip" in [d.split("?")[0].removeprefix(str(client.base_url)) for d in downloads]


async def test_older_results_get_their_small_copies_once_when_listed(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task_id = await make_task(user, results=2, scene=1)  # as painted before small copies existed
    before = (await client.get(f"/api/tasks/{task_id}", headers=user.headers)).json()
    assert before["thumbnail_urls"] == before["display_urls"] == [] and before["input_display_url"] is None
    first = await client.get(f"/tasks/{task_id}", headers=user.headers)
    assert before["result_urls"][0].split("?")[0] in first.text  # the originals until the copies exist
    assert (await client.get("/murals", headers=user.headers)).status_code == 200
    after = (await client.get(f"/api/tasks/{task_id}", headers=user.headers)).json()
    assert len(after["thumbnail_urls"]) == len(after["display_urls"]) == 2 and after["input_display_url"]
    assert [await webp(client, u, MAX_BYTES) for u in after["thumbnail_urls"]] == [(640, 480), (640, 480)]
    assert await webp(client, after["display_urls"][0], DISPLAY_MAX_BYTES) == (640, 480)


async def test_a_post_copies_the_small_copies(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task_id = await make_task(user, results=1, scene=2)
    r = await client.post(
        "/api/posts", headers=user.headers, json={"task_id": task_id, "result_index": 0, "title": "바다 벽화 작은 사본"}
    )
    assert r.status_code == 201, r.text
    post = r.json()
    assert "/thumb.webp" in post["thumbnail_url"] and await webp(client, post["thumbnail_url"], MAX_BYTES) == (640, 480)
    assert "/display-after.webp" in post["display_after_url"] and "/display-before.webp" in post["display_before_url"]
    for url in (post["display_after_url"], post["display_before_url"]):
        assert await webp(client, url, DISPLAY_MAX_BYTES) == (640, 480)
    board = await client.get("/board", params={"q": "작은 사본"})
    card = re.search(rf'<article class="post-card" id="card-{post["id"]}">.*?</article>', board.text, re.S)
    assert card and 'width="640" height="480"' in card.group(0) and "thumb.webp" in card.group(0)
    page = (await client.get(f"/board/{post['id']}")).text
    assert "display-after.webp" in page and "display-before.webp" in page
