"""The public board's content filter (issue 17, finding 13), the whole way with real painting (tiny models):
results are checked when painted; a held one cannot be published (409 ``content_held`` in the user's
language) but stays its owner's; an admin looks at it in Piccolo Admin and releases it."""

from __future__ import annotations

import re

import httpx
import pytest

from app.actors.painter.tiny import make_red_photo, make_wall_photo
from tests.board.helpers import make_admin
from tests.support.flow import create_and_upload, png_bytes, wait_terminal
from tests.support.server import Server
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.db

HANGUL = re.compile(r"[\uac00-\ud7a3]")
SUBMIT = {"theme": "ocean", "prompt": "whales", "region": {"mode": "box", "box": [10, 10, 64, 64]}, "steps": 2}


async def _painted(http: httpx.AsyncClient, user: ApiUser, photo: bytes) -> dict:
    task = await create_and_upload(http, user.headers, photo)
    r = await http.post(f"/api/tasks/{task['id']}/submit", json=SUBMIT, headers=user.headers)
    assert r.status_code == 202, r.text
    final = await wait_terminal(http, user.headers, task["id"], 300)  # the session's server paints one at a time
    assert final["status"] == "succeeded", final
    return dict(final)


def _post(task: dict, title: str = "A mural to share") -> dict:
    return {"task_id": task["id"], "result_index": 0, "title": title}


async def test_a_flagged_result_stays_private_until_an_admin_releases_it(
    client: httpx.AsyncClient, server: Server
) -> None:
    owner = await new_user(client, "flagged")
    held = await _painted(client, owner, png_bytes(make_red_photo()))
    assert held["held_results"] == [True]
    refused = await client.post("/api/posts", json=_post(held), headers=owner.headers)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "content_held" and body["status"] == 409 and HANGUL.search(body["detail"]), body
    english = await client.post("/api/posts", json=_post(held), headers={**owner.headers, "accept-language": "en"})
    assert english.json()["code"] == "content_held" and not HANGUL.search(english.json()["detail"])
    # still the owner's: the result is there for them, and the board shows nothing of it
    assert (await client.get(held["result_urls"][0])).status_code == 200
    page = await client.get(f"/board/new?task={held['id']}", headers=owner.headers)
    assert page.status_code == 200 and "안전 검사로 보류됨" in page.text  # the publish page says why

    admin = await new_user(client, "reviewer")
    await make_admin(admin)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as admin_http:
        await admin_http.get("/admin/public/login/")
        login = await admin_http.post(
            "/admin/public/login/",
            json={"username": admin.email, "password": admin.password},
            headers={"x-csrftoken": admin_http.cookies.get("csrftoken", "")},
        )
        assert login.status_code == 200, login.text
        csrf = {"x-csrftoken": admin_http.cookies.get("csrftoken", "")}
        rows = await admin_http.get("/admin/api/tables/tasks_task/", params={"held": "true", "id": held["id"]})
        assert rows.status_code == 200, rows.text
        assert [r["id"] for r in rows.json()["rows"]] == [held["id"]]
        look = await admin_http.post(
            "/admin/api/forms/review-held-result/", headers=csrf, json={"task_id": held["id"], "release": False}
        )
        assert look.status_code == 200 and "flagged" in look.text, look.text
        link = re.search(r"https?://\S+?/files/\S+?(?= \||\"|$)", look.json()["custom_form_success"])
        assert link, look.text
        assert (await client.get(link.group(0))).status_code == 200  # the reviewer sees the result
        assert (await client.post("/api/posts", json=_post(held), headers=owner.headers)).status_code == 409
        done = await admin_http.post(
            "/admin/api/forms/review-held-result/", headers=csrf, json={"task_id": held["id"], "release": True}
        )
        assert done.status_code == 200, done.text
    assert (await client.get(f"/api/tasks/{held['id']}", headers=owner.headers)).json()["held_results"] == [False]
    published = await client.post("/api/posts", json=_post(held, "Released after review"), headers=owner.headers)
    assert published.status_code == 201, published.text


async def test_a_clean_result_is_published_at_once(client: httpx.AsyncClient) -> None:
    owner = await new_user(client, "clean")
    task = await _painted(client, owner, png_bytes(make_wall_photo(160, 120)))
    assert task["held_results"] == [False]
    r = await client.post("/api/posts", json=_post(task), headers=owner.headers)
    assert r.status_code == 201, r.text
