"""``DELETE /api/me``: the account with its tokens, tasks, files, likes and comments goes; posts are deleted
or kept with ``author: null`` everywhere; every URL of what went stops working at once (api.md: v1.1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.board.helpers import SseReader
from tests.privacy.conftest import paint_with_mask, publish
from tests.support.accounts import AccountsDeployment
from tests.support.users import ApiUser, browser_session, new_user

pytestmark = pytest.mark.db
TABLES = {  # every table holding a user's rows, and the column naming the user
    "accounts_user": "id",
    "accounts_token": '"user"',
    "accounts_identity": '"user"',
    "accounts_password_reset": '"user"',
    "tasks_task": "owner",
    "board_post": "author",
    "board_comment": "author",
    "board_like": '"user"',
    "board_report": "reporter",
}


async def statuses(http: httpx.AsyncClient, urls: list[str]) -> list[int]:
    return [(await http.get(u)).status_code for u in urls]


async def _rows_of(accounts: AccountsDeployment, user_pk: int) -> dict[str, int]:
    out = {}
    for table, column in TABLES.items():
        rows = await accounts.sql(f"SELECT count(*) AS n FROM {table} WHERE {column} = $1", user_pk)
        out[table] = int(rows[0]["n"])
    return out


async def _pk(accounts: AccountsDeployment, user: ApiUser) -> int:
    return int((await accounts.sql("SELECT id FROM accounts_user WHERE username = $1", user.email))[0]["id"])


async def _busy_user(
    accounts: AccountsDeployment, http: httpx.AsyncClient, theirs: dict[str, Any], nickname: str
) -> tuple[ApiUser, dict[str, Any], dict[str, Any]]:
    """A user with a painted task, a published post, a comment, a like and a report on the neighbour's post."""
    user = await new_user(http, nickname)
    task = await paint_with_mask(http, user)
    post = await publish(http, user, task["id"], "우리 동네 숲 벽화")
    for path, body in (
        (f"/api/posts/{theirs['id']}/comments", {"content": "좋아요!"}),
        (f"/api/posts/{theirs['id']}/report", {"reason": "테스트 신고"}),
    ):
        assert (await http.post(path, json=body, headers=user.headers)).status_code in (201, 202)
    assert (await http.put(f"/api/posts/{theirs['id']}/like", headers=user.headers)).status_code == 200
    assert (await http.post("/api/auth/password-reset", json={"email": user.email})).status_code == 202
    await accounts.smtp.wait_for(user.email)
    return user, task, post


async def test_delete_removes_rows_objects_and_urls(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient, neighbour: tuple[ApiUser, dict[str, Any]]
) -> None:
    http = accounts_http
    other, theirs = neighbour
    user, task, post = await _busy_user(accounts, http, theirs, "떠나는사람")
    pk = await _pk(accounts, user)
    browser = await browser_session(accounts.url, user.email, user.password)
    before_counts = (await http.get(f"/api/posts/{theirs['id']}")).json()
    before_keys = accounts.stored_keys()
    mine = {k for k in before_keys if k.startswith((f"tasks/{task['id']}/", f"posts/{post['id']}/"))}
    assert len(mine) >= 6 and all(v > 0 for k, v in (await _rows_of(accounts, pk)).items() if k != "accounts_identity")
    urls = [
        task["input_url"],
        task["mask_url"],
        *task["result_urls"],
        post["before_url"],
        post["after_url"],
        post["thumbnail_url"],
    ]
    assert await statuses(http, urls) == [200] * len(urls)

    wrong = await http.request(
        "DELETE",
        "/api/me",
        json={"password": "not my password", "posts": "delete"},
        headers={**user.headers, "accept-language": "en"},
    )
    assert wrong.status_code == 400 and [e["field"] for e in wrong.json()["errors"]] == ["password"]
    assert accounts.stored_keys() == before_keys
    bad = await http.request(
        "DELETE", "/api/me", json={"password": user.password, "posts": "keep"}, headers=user.headers
    )
    assert bad.status_code == 400 and [e["field"] for e in bad.json()["errors"]] == ["posts"]

    try:
        r = await http.request(
            "DELETE", "/api/me", json={"password": user.password, "posts": "delete"}, headers=user.headers
        )
        assert r.status_code == 204, r.text
        assert accounts.stored_keys() == before_keys - mine  # exactly the user's objects, nobody else's
        assert await _rows_of(accounts, pk) == dict.fromkeys(TABLES, 0)
        assert await statuses(http, urls) == [404] * len(urls)
        assert (await http.get("/api/me", headers=user.headers)).status_code == 401
        assert (await browser.get("/account")).status_code in (302, 303)
        assert (
            await http.post("/api/auth/token", json={"email": user.email, "password": user.password})
        ).status_code == 401
        assert (await http.get(f"/api/posts/{post['id']}")).status_code == 404
        after_counts = (await http.get(f"/api/posts/{theirs['id']}")).json()
        assert after_counts["like_count"] == before_counts["like_count"] - 1
        assert after_counts["comment_count"] == before_counts["comment_count"] - 1
        comments = (await http.get(f"/api/posts/{theirs['id']}/comments")).json()["items"]
        assert all(c["author"]["id"] != user.id for c in comments)
        # the address is free again
        assert (
            await http.post(
                "/api/auth/signup", json={"email": user.email, "password": "a new start", "nickname": "다시"}
            )
        ).status_code == 201
    finally:
        await browser.aclose()


async def test_anonymized_posts_stay_with_author_null_everywhere(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient, neighbour: tuple[ApiUser, dict[str, Any]]
) -> None:
    http = accounts_http
    other, theirs = neighbour
    user, task, post = await _busy_user(accounts, http, theirs, "익명으로남김")
    comment = (
        await http.post(f"/api/posts/{post['id']}/comments", json={"content": "이웃의 댓글"}, headers=other.headers)
    ).json()
    old_urls = [
        post["before_url"],
        post["after_url"],
        post["thumbnail_url"],
        post["display_before_url"],
        post["display_after_url"],
    ]
    assert len(set(old_urls)) == len(old_urls)  # the display copies are objects of their own
    old_bytes = [(await http.get(u)).content for u in old_urls]
    assert (await http.get(f"/api/posts?author={user.id}")).json()["items"][0]["id"] == post["id"]

    async with SseReader(http, "/api/board/events") as events:
        r = await http.request(
            "DELETE", "/api/me", json={"password": user.password, "posts": "anonymize"}, headers=user.headers
        )
        assert r.status_code == 204, r.text
        event = await events.wait_for(lambda e: e.get("event") == "post_updated" and e["data"]["id"] == post["id"])
        assert event["data"]["author"] is None

    kept = (await http.get(f"/api/posts/{post['id']}")).json()
    assert kept["author"] is None and kept["title"] == post["title"]
    listed = next(p for p in (await http.get("/api/posts?limit=100")).json()["items"] if p["id"] == post["id"])
    assert listed["author"] is None
    assert (await http.get(f"/api/posts?author={user.id}")).json()["items"] == []
    page = (await http.get(f"/board/{post['id']}")).text
    assert "익명으로남김" not in page and user.id not in page
    assert "익명으로남김" not in (await http.get("/board")).text
    # the URLs handed out while it showed its author are dead; the new ones serve the same bytes
    assert await statuses(http, old_urls) == [404] * len(old_urls)
    new_urls = [
        kept["before_url"],
        kept["after_url"],
        kept["thumbnail_url"],
        kept["display_before_url"],
        kept["display_after_url"],
    ]
    assert [(await http.get(u)).content for u in new_urls] == old_bytes
    # others' comments on it stay; the user's own things went
    assert [c["id"] for c in (await http.get(f"/api/posts/{post['id']}/comments")).json()["items"]] == [comment["id"]]
    assert await statuses(http, [task["input_url"], *task["result_urls"]]) == [404] * len(
        [task["input_url"], *task["result_urls"]]
    )
    assert [p for p in (await http.get(f"/api/posts?author={other.id}")).json()["items"] if p["id"] == post["id"]] == []
    pk_rows = await accounts.sql("SELECT count(*) AS n FROM accounts_user WHERE username = $1", user.email)
    assert int(pk_rows[0]["n"]) == 0


async def test_an_account_without_password_deletes_itself_only_right_after_signing_in(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    import uuid

    from tests.support.accounts import KAKAO

    sub = f"kakao-{uuid.uuid4().hex[:8]}"
    accounts.oidc.add_account(sub, nickname="비번없음")
    tokens = await accounts.oidc.code_flow(
        KAKAO["client_id"],
        KAKAO["client_secret"],
        f"{accounts.url}/auth/oidc/kakao/callback",
        sub,
        scope="openid profile_nickname",
        auth_method="client_secret_post",
    )
    r = await accounts_http.post("/api/auth/oidc/kakao/token", json={"id_token": tokens["id_token"]})
    headers = {"authorization": f"Bearer {r.json()['access_token']}"}
    old = (
        "UPDATE accounts_token SET created_at = {} "
        'WHERE "user" = (SELECT "user" FROM accounts_identity WHERE subject = $1)'
    )
    await accounts.sql(
        old.format("now() - interval '1 hour'" if accounts.database_url else "datetime('now', '-1 hour')"), sub
    )
    stale = await accounts_http.request("DELETE", "/api/me", json={"posts": "delete"}, headers=headers)
    assert stale.status_code == 403 and stale.json()["code"] == "recent_login_required"
    fresh = await accounts_http.post("/api/auth/oidc/kakao/token", json={"id_token": tokens["id_token"]})
    headers = {"authorization": f"Bearer {fresh.json()['access_token']}"}
    assert (
        await accounts_http.request("DELETE", "/api/me", json={"posts": "delete"}, headers=headers)
    ).status_code == 204
    assert await accounts.sql("SELECT id FROM accounts_identity WHERE subject = $1", sub) == []
