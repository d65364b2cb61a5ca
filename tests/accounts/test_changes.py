"""Changing what an account is, over the JSON API (api.md: Accounts v1.1): nickname, password, log out
everywhere; a changed password or "log out everywhere" revokes every other token and session at once, and
an open stream closes (WebSocket 4401, SSE ends) within the re-check interval (1 s here)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import websockets

from tests.support.accounts import AccountsDeployment
from tests.support.flow import create_and_upload, wall_png
from tests.support.users import bearer, browser_session, new_user

pytestmark = pytest.mark.db


async def test_nickname_changes_within_the_signup_rules(accounts_http: httpx.AsyncClient) -> None:
    user = await new_user(accounts_http, "처음이름")
    r = await accounts_http.patch(
        "/api/me", json={"nickname": "  새 이름  ", "is_admin": True, "email": "x@y.z"}, headers=user.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["nickname"] == "새 이름" and r.json()["is_admin"] is False and r.json()["email"] == user.email
    assert (await accounts_http.get("/api/me", headers=user.headers)).json()["nickname"] == "새 이름"
    for bad in ("x", "y" * 21, "   a   "):
        r = await accounts_http.patch(
            "/api/me", json={"nickname": bad}, headers={**user.headers, "accept-language": "en"}
        )
        assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["nickname"], r.text
        assert "2–20" in r.json()["errors"][0]["message"]
    assert (await accounts_http.get("/api/me", headers=user.headers)).json()["nickname"] == "새 이름"
    assert (await accounts_http.patch("/api/me", json={"nickname": "익명"})).status_code == 401


async def test_password_change_revokes_every_other_token_and_session(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    user = await new_user(accounts_http)
    other_app = await bearer(accounts_http, user.email, user.password)
    browser = await browser_session(accounts.url, user.email, user.password)
    try:
        assert (await browser.get("/account")).status_code == 200
        wrong = await accounts_http.post(
            "/api/me/password",
            json={"current_password": "not it at all", "new_password": "brand-new-pass"},
            headers=user.headers,
        )
        assert wrong.status_code == 400 and wrong.json()["code"] == "wrong_password"
        assert [e["field"] for e in wrong.json()["errors"]] == ["current_password"]
        assert (await accounts_http.get("/api/me", headers=other_app)).status_code == 200  # nothing changed

        r = await accounts_http.post(
            "/api/me/password",
            json={"current_password": user.password, "new_password": "brand-new-pass"},
            headers=user.headers,
        )
        assert r.status_code == 204, r.text
        assert (await accounts_http.get("/api/me", headers=user.headers)).status_code == 200  # the caller stays
        gone = await accounts_http.get("/api/me", headers=other_app)
        assert gone.status_code == 401 and gone.json()["code"] == "invalid_token"
        page = await browser.get("/account")  # the browser session is gone: back to the log-in page
        assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")
        old = await accounts_http.post("/api/auth/token", json={"email": user.email, "password": user.password})
        assert old.status_code == 401
        assert (await bearer(accounts_http, user.email, "brand-new-pass"))["authorization"].startswith("Bearer ")
    finally:
        await browser.aclose()


async def test_new_password_follows_the_rules(accounts_http: httpx.AsyncClient) -> None:
    user = await new_user(accounts_http)
    r = await accounts_http.post(
        "/api/me/password", json={"current_password": user.password, "new_password": "short"}, headers=user.headers
    )
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["new_password"]
    r = await accounts_http.post("/api/me/password", json={"new_password": "long enough now"}, headers=user.headers)
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["current_password"]


async def test_logout_everywhere_revokes_this_token_too(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    user = await new_user(accounts_http)
    second = await bearer(accounts_http, user.email, user.password)
    browser = await browser_session(accounts.url, user.email, user.password)
    try:
        assert (await accounts_http.post("/api/auth/logout-all", headers=user.headers)).status_code == 204
        for headers in (user.headers, second):
            assert (await accounts_http.get("/api/me", headers=headers)).status_code == 401
        assert (await browser.get("/account")).status_code in (302, 303)
        assert (await accounts_http.post("/api/auth/logout-all", headers=user.headers)).status_code == 401
        await bearer(accounts_http, user.email, user.password)  # the password itself still works
    finally:
        await browser.aclose()


async def test_logout_everywhere_from_the_account_page(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    user = await new_user(accounts_http)
    browser = await browser_session(accounts.url, user.email, user.password)
    try:
        r = await browser.post("/account/logout-all", data={"_csrf_token": browser.cookies["saekdam_csrf"]})
        assert r.status_code in (302, 303) and r.headers["location"] == "/login?done=logged_out_everywhere"
        assert (await accounts_http.get("/api/me", headers=user.headers)).status_code == 401
        notice = await browser.get(r.headers["location"])
        assert "모든 기기와 앱에서 로그아웃했어요" in notice.text
        no_csrf = await (await browser_session(accounts.url, user.email, user.password)).post("/account/logout-all")
        assert no_csrf.status_code == 403
    finally:
        await browser.aclose()


def _ws_url(accounts: AccountsDeployment, task_id: str, token: str) -> str:
    return accounts.url.replace("http://", "ws://") + f"/api/tasks/{task_id}/ws?access_token={token}"


async def test_open_streams_close_once_their_token_is_revoked(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    """A WebSocket and an SSE stream opened before a password change stop within the re-check interval."""
    user = await new_user(accounts_http)
    streaming = await bearer(accounts_http, user.email, user.password)
    token = streaming["authorization"].split(" ", 1)[1]
    task = await create_and_upload(accounts_http, user.headers, wall_png())
    async with websockets.connect(_ws_url(accounts, task["id"], token)) as socket:
        first = await asyncio.wait_for(socket.recv(), 10)
        assert '"event":"task"' in first
        sse_done = asyncio.Event()

        async def read_sse() -> None:
            async with accounts_http.stream(
                "GET", f"/api/tasks/{task['id']}/events", headers=streaming, timeout=httpx.Timeout(30, read=30)
            ) as response:
                assert response.status_code == 200
                async for _ in response.aiter_lines():
                    pass
            sse_done.set()

        reader = asyncio.create_task(read_sse())
        await asyncio.sleep(0.5)
        r = await accounts_http.post(
            "/api/me/password",
            json={"current_password": user.password, "new_password": "streams-must-stop"},
            headers=user.headers,
        )
        assert r.status_code == 204
        started = time.monotonic()
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(socket.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401, closed.value
        await asyncio.wait_for(sse_done.wait(), 10)
        assert time.monotonic() - started < 5  # re-checked every second (pings every second while idle)
        await reader
    # the caller's own token kept working, and a new stream with the revoked one is refused
    assert (await accounts_http.get(f"/api/tasks/{task['id']}", headers=user.headers)).status_code == 200
    async with websockets.connect(_ws_url(accounts, task["id"], token)) as refused:
        with pytest.raises(websockets.ConnectionClosed) as closed2:
            await asyncio.wait_for(refused.recv(), 10)
        assert closed2.value.rcvd is not None and closed2.value.rcvd.code == 4401


async def test_a_websocket_closes_after_its_own_logout(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    """The finding as reported: a WebSocket opened before logout kept streaming after it."""
    user = await new_user(accounts_http)
    task = await create_and_upload(accounts_http, user.headers, wall_png())
    token = user.headers["authorization"].split(" ", 1)[1]
    async with websockets.connect(_ws_url(accounts, task["id"], token)) as socket:
        assert '"event":"task"' in await asyncio.wait_for(socket.recv(), 10)
        assert (await accounts_http.post("/api/auth/logout", headers=user.headers)).status_code == 204
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(socket.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
