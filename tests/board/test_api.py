"""The board's JSON API over real HTTP (api.md: Board): shapes, rules, the authorization matrix, likes,
comments, views, reports and moderation."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import httpx
import pytest

from app.web.etag import etag_of
from tests.board.helpers import make_task, publish
from tests.support.users import ApiUser, new_user, visitor_from_own_address

pytestmark = pytest.mark.db

POST_KEYS = {
    "id",
    "title",
    "content",
    "theme",
    "author",
    "before_url",
    "after_url",
    "like_count",
    "comment_count",
    "view_count",
    "liked_by_me",
    "created_at",
    "updated_at",
}
COMMENT_KEYS = {"id", "post_id", "author", "content", "created_at"}


def assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == status and isinstance(body["code"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


def assert_post(post: dict) -> None:
    assert set(post) >= POST_KEYS, post
    datetime.fromisoformat(post["created_at"].replace("Z", "+00:00"))
    assert post["author"] is None or set(post["author"]) == {"id", "nickname"}


async def test_publish_read_and_list_shapes(
    client: httpx.AsyncClient, alice: ApiUser, anon: httpx.AsyncClient, theme: str
) -> None:
    task_id = await make_task(alice, results=2, theme=theme)
    r = await client.post(
        "/api/posts",
        headers=alice.headers,
        json={
            "task_id": task_id,
            "result_index": 1,
            "title": "  바다 고래 벽화  ",
            "content": "우리 동네 벽",
            # unknown fields and fields clients may not set are ignored
            "like_count": 99,
            "author": {"id": "x", "nickname": "x"},
            "id": "mine",
            "hidden": True,
        },
    )
    assert r.status_code == 201, r.text
    post = r.json()
    assert_post(post)
    assert post["title"] == "바다 고래 벽화" and post["theme"] == theme and post["like_count"] == 0
    assert post["author"] == {"id": alice.id, "nickname": "alice"} and post["liked_by_me"] is False
    assert post["id"] != "mine" and f"/posts/{post['id']}/" in post["after_url"]

    page = (await anon.get("/api/posts", params={"theme": theme})).json()
    assert set(page) == {"items", "next_cursor"} and page["next_cursor"] is None
    assert [p["id"] for p in page["items"]] == [post["id"]]
    assert_post(page["items"][0])
    got = (await anon.get(f"/api/posts/{post['id']}")).json()
    assert got["title"] == post["title"] and got["view_count"] == 1

    # the board serves its own copies: the photo (upright, no metadata) and the chosen result, byte for byte
    after = await anon.get(post["after_url"])
    before = await anon.get(post["before_url"])
    assert after.status_code == before.status_code == 200
    assert after.headers["content-type"] == before.headers["content-type"] == "image/png"
    from tests.board.helpers import _storage

    assert after.content == await _storage().get(f"tasks/{task_id}/result-2.png")

    # posts outlive their task: deleting the task (and its files) leaves the post whole
    assert (await client.delete(f"/api/tasks/{task_id}", headers=alice.headers)).status_code == 204
    again = (await anon.get(f"/api/posts/{post['id']}")).json()
    assert (await anon.get(again["after_url"])).content == after.content
    assert (await anon.get(again["before_url"])).status_code == 200


async def test_publish_rules(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser, anon: httpx.AsyncClient, theme: str
) -> None:
    task_id = await make_task(alice, theme=theme)
    body = {"task_id": task_id, "result_index": 0, "title": "A good title", "content": ""}
    assert_error(await anon.post("/api/posts", json=body), 401)
    # another user's task: not found, never "forbidden" (its existence stays private)
    assert_error(await client.post("/api/posts", json=body, headers=bob.headers), 404, "not_found")
    assert_error(await client.post("/api/posts", json={**body, "task_id": "not-a-uuid"}, headers=alice.headers), 404)
    running = await make_task(alice, status="running", theme=theme)
    assert_error(
        await client.post("/api/posts", json={**body, "task_id": running}, headers=alice.headers),
        409,
        "task_not_succeeded",
    )
    bad = assert_error(
        await client.post("/api/posts", headers=alice.headers, json={**body, "title": "abc", "content": "x" * 2001}),
        400,
    )
    assert {e["field"] for e in bad["errors"]} == {"title", "content"}
    bad = assert_error(
        await client.post("/api/posts", headers=alice.headers, json={**body, "title": "     ok    "}), 400
    )
    assert [e["field"] for e in bad["errors"]] == ["title"]  # 5–60 after trimming
    assert_error(await client.post("/api/posts", headers=alice.headers, json={**body, "title": "t" * 61}), 400)
    bad = assert_error(await client.post("/api/posts", headers=alice.headers, json={**body, "result_index": 1}), 400)
    assert bad["errors"][0]["field"] == "result_index"
    assert_error(await client.post("/api/posts", headers=alice.headers, json={"title": "no task here"}), 400)

    assert (await client.post("/api/posts", json=body, headers=alice.headers)).status_code == 201
    assert_error(await client.post("/api/posts", json=body, headers=alice.headers), 409, "already_published")
    page = (await anon.get("/api/posts", params={"theme": theme})).json()
    assert len(page["items"]) == 1


async def test_edit_and_delete_matrix(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser, admin: ApiUser, anon: httpx.AsyncClient
) -> None:
    post = await publish(client, alice, title="Original title")
    pid = post["id"]
    assert_error(await anon.patch(f"/api/posts/{pid}", json={"title": "Hacked title"}), 401)
    assert_error(await client.patch(f"/api/posts/{pid}", json={"title": "Hacked title"}, headers=bob.headers), 403)
    assert_error(await client.patch(f"/api/posts/{pid}", json={"title": "Hacked title"}, headers=admin.headers), 403)
    assert_error(await client.delete(f"/api/posts/{pid}", headers=bob.headers), 403)
    assert_error(await client.patch(f"/api/posts/{pid}", json={"title": "no"}, headers=alice.headers), 400)

    r = await client.patch(f"/api/posts/{pid}", json={"content": "새 내용", "author": None}, headers=alice.headers)
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["title"] == "Original title" and edited["content"] == "새 내용"
    assert edited["updated_at"] > edited["created_at"] and edited["author"]["id"] == alice.id
    r = await client.patch(f"/api/posts/{pid}", json={"title": "Edited title"}, headers=alice.headers)
    assert r.json()["title"] == "Edited title" and r.json()["content"] == "새 내용"

    assert (await client.delete(f"/api/posts/{pid}", headers=alice.headers)).status_code == 204
    assert_error(await anon.get(f"/api/posts/{pid}"), 404)
    assert_error(await client.delete(f"/api/posts/{pid}", headers=alice.headers), 404)
    assert (await anon.get(post["after_url"])).status_code in (403, 404)  # the copies are gone too

    other = await publish(client, bob, title="Admin deletes this")
    assert (await client.delete(f"/api/posts/{other['id']}", headers=admin.headers)).status_code == 204
    assert_error(await anon.get(f"/api/posts/{other['id']}"), 404)
    assert_error(await anon.get("/api/posts/not-a-uuid"), 404)


async def test_anonymous_post_never_reveals_its_author(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser, anon: httpx.AsyncClient, theme: str
) -> None:
    shown = await publish(client, alice, title="Signed mural", theme=theme)
    hidden = await publish(client, alice, title="Secret mural", content="from nobody", anonymous=True, theme=theme)
    assert hidden["author"] is None
    pid = hidden["id"]

    def leaks(text: str) -> bool:
        return alice.id in text or "alice" in text or alice.email in text

    for http, headers in ((anon, {}), (client, bob.headers)):
        one = await http.get(f"/api/posts/{pid}", headers=headers)
        assert one.json()["author"] is None and not leaks(one.text)
        assert one.headers["etag"] == etag_of(one.content)  # the tag is the shown body's hash: it tells nothing more
        listed = await http.get("/api/posts", params={"theme": theme}, headers=headers)
        items = {p["id"]: p for p in listed.json()["items"]}
        assert items[pid]["author"] is None and items[shown["id"]]["author"]["id"] == alice.id
        assert not leaks(json.dumps(items[pid]))
        by_author = (await http.get("/api/posts", params={"author": alice.id}, headers=headers)).json()
        assert pid not in {p["id"] for p in by_author["items"]} and shown["id"] in {p["id"] for p in by_author["items"]}
        page = await http.get(f"/board/{pid}", headers=headers)
        assert page.status_code == 200 and "Secret mural" in page.text and not leaks(page.text)
        search = (await http.get("/api/posts", params={"q": "Secret", "theme": theme}, headers=headers)).json()
        assert [p["author"] for p in search["items"]] == [None]
    assert alice.id not in hidden["before_url"] + hidden["after_url"] + hidden["thumbnail_url"]

    # the author still finds, edits, likes and deletes it; it stays anonymous in every answer
    mine = (await client.get("/api/posts", params={"author": alice.id}, headers=alice.headers)).json()
    assert {p["id"]: p["author"] for p in mine["items"]}[pid] is None
    edited = await client.patch(f"/api/posts/{pid}", json={"title": "Secret mural 2"}, headers=alice.headers)
    assert edited.status_code == 200 and edited.json()["author"] is None
    liked = await client.put(f"/api/posts/{pid}/like", headers=alice.headers)
    assert liked.json() == {"like_count": 1, "liked_by_me": True}
    assert (await client.delete(f"/api/posts/{pid}", headers=alice.headers)).status_code == 204


async def test_likes_are_idempotent(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser, anon: httpx.AsyncClient, theme: str
) -> None:
    post = await publish(client, alice, theme=theme)
    url = f"/api/posts/{post['id']}/like"
    assert_error(await anon.put(url), 401)
    for _ in range(2):
        r = await client.put(url, headers=bob.headers)
        assert r.status_code == 200 and r.json() == {"like_count": 1, "liked_by_me": True}
    results = await asyncio.gather(*(client.put(url, headers=alice.headers) for _ in range(4)))
    assert {r.json()["like_count"] for r in results} <= {2} and all(r.json()["liked_by_me"] for r in results)
    seen_by_bob = (await client.get("/api/posts", params={"theme": theme}, headers=bob.headers)).json()["items"][0]
    assert seen_by_bob["liked_by_me"] is True and seen_by_bob["like_count"] == 2
    assert (await anon.get("/api/posts", params={"theme": theme})).json()["items"][0]["liked_by_me"] is False
    for _ in range(2):
        r = await client.delete(url, headers=bob.headers)
        assert r.status_code == 200 and r.json() == {"like_count": 1, "liked_by_me": False}
    assert (await client.get(f"/api/posts/{post['id']}", headers=bob.headers)).json()["liked_by_me"] is False
    assert_error(await client.put("/api/posts/00000000-0000-0000-0000-000000000000/like", headers=bob.headers), 404)


async def test_comments(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser, admin: ApiUser, anon: httpx.AsyncClient
) -> None:
    post = await publish(client, alice)
    url = f"/api/posts/{post['id']}/comments"
    assert_error(await anon.post(url, json={"content": "hi"}), 401)
    assert_error(await client.post(url, json={"content": ""}, headers=bob.headers), 400)
    assert_error(await client.post(url, json={"content": "   "}, headers=bob.headers), 400)
    assert_error(await client.post(url, json={"content": "x" * 501}, headers=bob.headers), 400)
    made = []
    for i, who in enumerate((bob, alice, bob)):
        r = await client.post(url, json={"content": f"<script>{i}</script> 멋져요", "id": "x"}, headers=who.headers)
        assert r.status_code == 201, r.text
        made.append(r.json())
    assert set(made[0]) >= COMMENT_KEYS and made[0]["post_id"] == post["id"]
    assert made[0]["author"] == {"id": bob.id, "nickname": "bob"}

    first = (await anon.get(url, params={"limit": 2})).json()
    assert [c["id"] for c in first["items"]] == [made[0]["id"], made[1]["id"]] and first["next_cursor"]
    rest = (await anon.get(url, params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [c["id"] for c in rest["items"]] == [made[2]["id"]] and rest["next_cursor"] is None
    assert_error(await anon.get(url, params={"cursor": "garbage"}), 400)
    assert_error(await anon.get(url, params={"limit": 0}), 400)
    assert (await anon.get(f"/api/posts/{post['id']}")).json()["comment_count"] == 3

    page = await anon.get(f"/board/{post['id']}")
    assert "<script>0</script>" not in page.text and "&lt;script&gt;0&lt;/script&gt;" in page.text

    assert_error(await client.delete(f"/api/comments/{made[0]['id']}", headers=alice.headers), 403)  # post author too
    assert_error(await anon.delete(f"/api/comments/{made[0]['id']}"), 401)
    assert (await client.delete(f"/api/comments/{made[0]['id']}", headers=bob.headers)).status_code == 204
    assert (await client.delete(f"/api/comments/{made[1]['id']}", headers=admin.headers)).status_code == 204
    assert_error(await client.delete(f"/api/comments/{made[1]['id']}", headers=admin.headers), 404)
    left = (await anon.get(url)).json()["items"]
    assert [c["id"] for c in left] == [made[2]["id"]]
    assert (await anon.get(f"/api/posts/{post['id']}")).json()["comment_count"] == 1


async def test_views_count_once_per_viewer_per_day(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser, anon: httpx.AsyncClient
) -> None:
    post = await publish(client, alice)
    url = f"/api/posts/{post['id']}"
    counts = []
    for _ in range(3):
        counts.append((await client.get(url, headers=bob.headers)).json()["view_count"])
    assert counts == [1, 1, 1]
    assert (await anon.get(url)).json()["view_count"] == 2  # an anonymous visitor (by address)
    assert (await anon.get(url)).json()["view_count"] == 2
    assert (await anon.get(f"/board/{post['id']}")).status_code == 200  # the page counts the same visitor once
    # a spoofed X-Forwarded-For is not another visitor (no proxy is trusted); another address is
    assert (await anon.get(url, headers={"x-forwarded-for": "203.0.113.7"})).json()["view_count"] == 2
    async with visitor_from_own_address(str(anon.base_url)) as other:
        assert (await other.get(url)).json()["view_count"] == 3
        assert (await other.get(url)).json()["view_count"] == 3
    assert (await client.get(url, headers=alice.headers)).json()["view_count"] == 4


async def test_reports_and_moderation(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser, admin: ApiUser, anon: httpx.AsyncClient, server, theme: str
) -> None:
    post = await publish(client, alice, title="Reported mural", theme=theme)
    pid = post["id"]
    comment = (
        await client.post(f"/api/posts/{pid}/comments", json={"content": "spam spam"}, headers=alice.headers)
    ).json()
    assert_error(await anon.post(f"/api/posts/{pid}/report", json={"reason": "spam"}), 401)
    assert_error(await client.post(f"/api/posts/{pid}/report", json={"reason": ""}, headers=bob.headers), 400)
    r1 = await client.post(f"/api/posts/{pid}/report", json={"reason": "looks like spam"}, headers=bob.headers)
    assert r1.status_code == 202, r1.text
    again = await client.post(f"/api/posts/{pid}/report", json={"reason": "still spam"}, headers=bob.headers)
    assert again.status_code == 202 and again.json()["id"] == r1.json()["id"]  # one open report per reporter
    r2 = await client.post(
        f"/api/posts/{pid}/report", json={"reason": "rude", "comment_id": comment["id"]}, headers=bob.headers
    )
    assert r2.status_code == 202 and r2.json()["id"] != r1.json()["id"]

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as admin_http:
        await admin_http.get("/admin/public/login/")
        login = await admin_http.post(
            "/admin/public/login/",
            json={"username": admin.email, "password": admin.password},
            headers={"x-csrftoken": admin_http.cookies.get("csrftoken", "")},
        )
        assert login.status_code == 200, login.text
        csrf = {"x-csrftoken": admin_http.cookies.get("csrftoken", "")}
        tables = (await admin_http.get("/admin/api/tables/")).json()
        assert {"board_post", "board_comment", "board_report"} <= set(tables)
        reports = (await admin_http.get("/admin/api/tables/board_report/", params={"post": pid})).json()["rows"]
        assert {r["id"] for r in reports} == {r1.json()["id"], r2.json()["id"]}

        # resolving the comment report hides the comment: gone from the list, the count follows
        done = await admin_http.post(
            "/admin/api/forms/review-report/",
            headers=csrf,
            json={"report_id": r2.json()["id"], "action": "hide", "note": "rude"},
        )
        assert done.status_code == 200, done.text
        assert (await anon.get(f"/api/posts/{pid}/comments")).json()["items"] == []
        assert (await anon.get(f"/api/posts/{pid}")).json()["comment_count"] == 0

        # hiding the post in the table (the `hidden` column): gone for the public, still there for its author
        patched = await admin_http.patch(f"/admin/api/tables/board_post/{pid}/", json={"hidden": True}, headers=csrf)
        assert patched.status_code == 200, patched.text
        assert_error(await anon.get(f"/api/posts/{pid}"), 404)
        assert_error(await client.get(f"/api/posts/{pid}", headers=bob.headers), 404)
        assert (await anon.get(f"/board/{pid}")).status_code == 404
        assert (await client.get(f"/api/posts/{pid}", headers=alice.headers)).status_code == 200
        assert (await anon.get("/api/posts", params={"theme": theme})).json()["items"] == []
        assert_error(await client.put(f"/api/posts/{pid}/like", headers=bob.headers), 404)

        # and back through the form
        shown = await admin_http.post(
            "/admin/api/forms/hide-post/", headers=csrf, json={"post_id": pid, "hidden": False}
        )
        assert shown.status_code == 200, shown.text
        assert [p["id"] for p in (await anon.get("/api/posts", params={"theme": theme})).json()["items"]] == [pid]
        bad = await admin_http.post(
            "/admin/api/forms/hide-post/",
            headers=csrf,
            json={"post_id": "00000000-0000-0000-0000-000000000000", "hidden": True},
        )
        assert bad.status_code >= 400


async def test_posting_is_rate_limited(client: httpx.AsyncClient) -> None:
    user = await new_user(client, "busy")
    for i in range(10):
        await publish(client, user, title=f"Mural number {i}")
    task_id = await make_task(user)
    r = await client.post(
        "/api/posts", headers=user.headers, json={"task_id": task_id, "result_index": 0, "title": "One too many"}
    )
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["retry-after"]) > 0
