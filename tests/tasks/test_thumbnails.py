"""Thumbnails for lists: made by the paint job next to each result, lazily once for older results, copied
with a board post; the lists load them (4:3 WebP ≤ 60 KB) instead of full-size results."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from PIL import Image

from app.core.thumbnails import MAX_BYTES
from tests.board.helpers import make_task
from tests.support.flow import paint, wall_png
from tests.support.users import new_user

pytestmark = pytest.mark.db


async def check_thumbnail(client: httpx.AsyncClient, url: str) -> tuple[int, int]:
    r = await client.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp", url
    assert len(r.content) <= MAX_BYTES
    with Image.open(io.BytesIO(r.content)) as img:
        assert img.format == "WEBP" and abs(img.width * 3 - img.height * 4) <= 4, img.size
        return img.size


async def test_the_paint_job_makes_one_thumbnail_per_result(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    out = await paint(client, user.headers, wall_png(480, 270), variations=2, seed=3)  # 16:9 photo
    task = out["task"]
    assert task["status"] == "succeeded", task
    assert len(task["thumbnail_urls"]) == len(task["result_urls"]) == 2
    for url in task["thumbnail_urls"]:
        assert await check_thumbnail(client, url) == (360, 270)  # the centre 4:3, never enlarged
        assert "/thumb-result-" in url
    page = await client.get("/murals", headers=user.headers)
    assert page.status_code == 200
    images = re.findall(r"<img [^>]*>", page.text.split('id="mural-list"', 1)[1])
    assert images and all('width="640" height="480"' in tag for tag in images)
    assert task["thumbnail_urls"][0].split("?")[0] in page.text.replace("&amp;", "&")
    assert task["result_urls"][0].split("?")[0] not in page.text  # no full-size result in the list
    assert 'loading="lazy"' not in images[0] and 'fetchpriority="high"' in images[0]  # the first one is the LCP
    final = await client.get(f"/tasks/{task['id']}", headers=user.headers)
    picks = re.findall(r'<button[^>]*data-compare-pick[^>]*>\s*<img [^>]*>', final.text)
    assert len(picks) == 2 and all("thumb-result-" in p for p in picks)


async def test_older_results_get_thumbnails_once_when_listed(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task_id = await make_task(user, results=2, scene=1)  # as painted before thumbnails existed
    before = (await client.get(f"/api/tasks/{task_id}", headers=user.headers)).json()
    assert before["thumbnail_urls"] == [] and len(before["result_urls"]) == 2
    assert (await client.get("/murals", headers=user.headers)).status_code == 200
    after = (await client.get(f"/api/tasks/{task_id}", headers=user.headers)).json()
    assert len(after["thumbnail_urls"]) == 2
    sizes = [await check_thumbnail(client, url) for url in after["thumbnail_urls"]]
    assert sizes == [(640, 480), (640, 480)]


async def test_a_post_copies_the_result_thumbnail(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    task_id = await make_task(user, results=1, scene=2)
    r = await client.post("/api/posts", headers=user.headers,
                          json={"task_id": task_id, "result_index": 0, "title": "바다 벽화 썸네일"})
    assert r.status_code == 201, r.text
    post = r.json()
    assert post["thumbnail_url"] != post["after_url"] and "/thumb.webp" in post["thumbnail_url"]
    assert await check_thumbnail(client, post["thumbnail_url"]) == (640, 480)
    board = await client.get("/board", params={"q": "썸네일"})
    card = re.search(r'<article class="post-card" id="card-%s">.*?</article>' % post["id"], board.text, re.S)
    assert card and 'width="640" height="480"' in card.group(0) and "thumb.webp" in card.group(0)
