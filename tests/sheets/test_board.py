"""A board post shows its sheet when its author allows it: the post option, the public sheet, the post page."""

from __future__ import annotations

import httpx
import pytest

from tests.support.flow import create_and_upload, wait_terminal, wall_png
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.db


async def _succeeded(client: httpx.AsyncClient, user: ApiUser) -> dict:
    task = await create_and_upload(client, user.headers, wall_png(200, 120))
    r = await client.post(
        f"/api/tasks/{task['id']}/submit",
        headers=user.headers,
        json={
            "theme": "play",
            "prompt": "놀이터 벽화",
            "steps": 2,
            "variations": 2,
            "wall_size_m": [5, 2],
            "region": {"mode": "box", "box": [10, 10, 170, 90]},
        },
    )
    assert r.status_code == 202, r.text
    done = await wait_terminal(client, user.headers, task["id"])
    assert done["status"] == "succeeded"
    return done


async def test_post_option_public_sheet_and_page(client: httpx.AsyncClient) -> None:
    author = await new_user(client, "작가")
    task = await _succeeded(client, author)
    r = await client.post(
        "/api/posts",
        headers=author.headers,
        json={"task_id": task["id"], "result_index": 1, "title": "놀이터 옆 벽화", "sheet_colors": 6},
    )
    assert r.status_code == 201, r.text
    post = r.json()
    assert post["sheet_colors"] == 6

    # anyone, even logged out, sees the sheet of the post's result
    sheet = await client.get(f"/api/posts/{post['id']}/sheet")
    assert sheet.status_code == 200, sheet.text
    body = sheet.json()
    assert body["result"] == 2 and len(body["colors"]) <= 6 and (body["width_m"], body["height_m"]) == (5.0, 2.0)
    assert "sheet-2-6" in body["pdf_url"]
    assert (await client.get(body["image_url"])).content.startswith(b"\x89PNG")

    page = await client.get(f"/board/{post['id']}")
    assert page.status_code == 200 and f'hx-get="/board/{post["id"]}/sheet"' in page.text
    fragment = await client.get(f"/board/{post['id']}/sheet", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "data-sheet-pdf" in fragment.text and "RAL" in fragment.text

    # the author hides it again: gone from the API and the page
    r = await client.patch(f"/api/posts/{post['id']}", headers=author.headers, json={"sheet_colors": None})
    assert r.status_code == 200 and r.json()["sheet_colors"] is None
    assert (await client.get(f"/api/posts/{post['id']}/sheet")).status_code == 404
    assert (await client.get(f"/board/{post['id']}/sheet")).status_code == 404
    assert (
        "/sheet"
        not in (await client.get(f"/board/{post['id']}")).text.split("comments-title")[0].split("post-compare")[1]
    )
    # an edit of the text keeps the option as it is; turning it on again works
    r = await client.patch(f"/api/posts/{post['id']}", headers=author.headers, json={"sheet_colors": 8})
    assert r.json()["sheet_colors"] == 8
    r = await client.patch(f"/api/posts/{post['id']}", headers=author.headers, json={"title": "놀이터 옆 큰 벽화"})
    assert r.json()["sheet_colors"] == 8


async def test_posts_without_the_option_and_bad_values(client: httpx.AsyncClient) -> None:
    author = await new_user(client, "조용한작가")
    task = await _succeeded(client, author)
    r = await client.post(
        "/api/posts", headers=author.headers, json={"task_id": task["id"], "result_index": 0, "title": "도안 없는 벽화"}
    )
    assert r.status_code == 201 and r.json()["sheet_colors"] is None
    post = r.json()
    assert (await client.get(f"/api/posts/{post['id']}/sheet")).status_code == 404
    assert (
        "/sheet"
        not in (await client.get(f"/board/{post['id']}")).text.split("comments-title")[0].split("post-compare")[1]
    )
    r = await client.post(
        "/api/posts",
        headers=author.headers,
        json={"task_id": task["id"], "result_index": 1, "title": "도안 색이 너무 많아", "sheet_colors": 30},
    )
    assert r.status_code == 400 and "sheet_colors" in {e["field"] for e in r.json()["errors"]}
    r = await client.patch(f"/api/posts/{post['id']}", headers=author.headers, json={"sheet_colors": 2})
    assert r.status_code == 400 and "sheet_colors" in {e["field"] for e in r.json()["errors"]}
    assert (await client.get("/api/posts/not-a-post/sheet")).status_code == 404
