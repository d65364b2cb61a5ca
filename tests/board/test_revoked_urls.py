"""Hidden and deleted posts (issue 17, finding 9): every URL handed out for their pictures (share image, before,
after, thumbnail, display copies) stops working at once; showing the post again hands out URLs that work."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.board.helpers import publish
from tests.support.server import Server
from tests.support.users import ApiUser

pytestmark = pytest.mark.db

URL_FIELDS = ("before_url", "after_url", "thumbnail_url", "display_before_url", "display_after_url")


async def picture_urls(anon: httpx.AsyncClient, post: dict[str, Any]) -> dict[str, str]:
    """The post's picture URLs, the link-preview image (og:image) of its page included."""
    urls = {name: post[name] for name in URL_FIELDS}
    page = await anon.get(f"/board/{post['id']}")
    found = re.search(r'<meta property="og:image" content="([^"]+)"', page.text)
    assert found, page.text[:500]
    urls["share_image"] = html.unescape(found.group(1))
    return urls


async def statuses(http: httpx.AsyncClient, urls: dict[str, str]) -> dict[str, int]:
    return {name: (await http.get(url)).status_code for name, url in urls.items()}


def every(status: int, urls: dict[str, str]) -> dict[str, int]:
    return dict.fromkeys(urls, status)


@pytest.fixture
async def moderator(server: Server, admin: ApiUser) -> AsyncIterator[httpx.AsyncClient]:
    """Piccolo Admin, logged in as an admin (its forms are how moderators hide posts)."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        await http.get("/admin/public/login/")
        login = await http.post(
            "/admin/public/login/",
            json={"username": admin.email, "password": admin.password},
            headers={"x-csrftoken": http.cookies.get("csrftoken", "")},
        )
        assert login.status_code == 200, login.text
        http.headers["x-csrftoken"] = http.cookies.get("csrftoken", "")
        yield http


async def test_hiding_revokes_every_picture_url_and_showing_again_gives_working_ones(
    client: httpx.AsyncClient,
    anon: httpx.AsyncClient,
    alice: ApiUser,
    bob: ApiUser,
    moderator: httpx.AsyncClient,
    theme: str,
) -> None:
    post = await publish(client, alice, title="Soon hidden mural", theme=theme)
    before_hiding = await picture_urls(anon, post)
    assert await statuses(anon, before_hiding) == every(200, before_hiding)

    hidden = await moderator.post("/admin/api/forms/hide-post/", json={"post_id": post["id"], "hidden": True})
    assert hidden.status_code == 200, hidden.text
    assert await statuses(anon, before_hiding) == every(404, before_hiding)  # at once, not when they expire

    # its author still sees it, with new URLs that work
    own = (await client.get(f"/api/posts/{post['id']}", headers=alice.headers)).json()
    own_urls = {name: own[name] for name in URL_FIELDS}
    assert not set(own_urls.values()) & set(before_hiding.values())
    assert await statuses(anon, own_urls) == every(200, own_urls)

    shown = await moderator.post("/admin/api/forms/hide-post/", json={"post_id": post["id"], "hidden": False})
    assert shown.status_code == 200, shown.text
    again = await picture_urls(anon, (await anon.get(f"/api/posts/{post['id']}")).json())
    assert await statuses(anon, again) == every(200, again)
    assert await statuses(anon, before_hiding) == every(404, before_hiding)  # the old ones stay dead

    # hiding through a report (the moderators' review form) and in the table revokes the same way
    r = await client.post(f"/api/posts/{post['id']}/report", json={"reason": "not a mural"}, headers=bob.headers)
    assert r.status_code == 202, r.text
    done = await moderator.post("/admin/api/forms/review-report/", json={"report_id": r.json()["id"], "action": "hide"})
    assert done.status_code == 200, done.text
    assert await statuses(anon, again) == every(404, again)
    await moderator.patch(f"/admin/api/tables/board_post/{post['id']}/", json={"hidden": False})
    shown_again = await picture_urls(anon, (await anon.get(f"/api/posts/{post['id']}")).json())
    patched = await moderator.patch(f"/admin/api/tables/board_post/{post['id']}/", json={"hidden": True})
    assert patched.status_code == 200, patched.text
    assert await statuses(anon, shown_again) == every(404, shown_again)


async def test_deleting_revokes_every_picture_url(
    client: httpx.AsyncClient, anon: httpx.AsyncClient, alice: ApiUser, theme: str
) -> None:
    post = await publish(client, alice, title="Soon deleted mural", theme=theme)
    urls = await picture_urls(anon, post)
    assert await statuses(anon, urls) == every(200, urls)
    assert (await client.delete(f"/api/posts/{post['id']}", headers=alice.headers)).status_code == 204
    assert await statuses(anon, urls) == every(404, urls)
