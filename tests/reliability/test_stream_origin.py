"""Cross-site WebSocket hijacking: a stream authenticated by the session cookie is accepted only from the app's
own origin (``public_url``; the test server sets it). A page elsewhere that opens the victim's task WebSocket
or EventSource (the browser adds the cookie) is refused before any event; bearer and ``access_token`` clients
are not affected by ``Origin``."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import pytest
import websockets

from tests.support.flow import create_and_upload, wall_png
from tests.support.server import Server
from tests.support.users import ApiUser, browser_session, new_user

pytestmark = pytest.mark.db

EVIL = "http://evil.example"


async def first_frame(url: str, **kw: Any) -> dict[str, Any]:
    async with websockets.connect(url, open_timeout=30, **kw) as ws:
        return msgspec.json.decode(await ws.recv())


async def close_code(url: str, **kw: Any) -> int | None:
    async with websockets.connect(url, open_timeout=30, **kw) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    return closed.value.rcvd.code if closed.value.rcvd else None


async def sse_status(base_url: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any] | None]:
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as http,
        http.stream("GET", path, headers={"accept": "text/event-stream", **headers}) as r,
    ):
        if r.status_code == 200 or "json" not in r.headers.get("content-type", ""):
            return r.status_code, None  # a stream (left unread) or a page
        return r.status_code, msgspec.json.decode(await r.aread())


async def test_cookie_streams_only_from_the_apps_own_origin(server: Server, client: httpx.AsyncClient) -> None:
    user: ApiUser = await new_user(client, "victim")
    task = await create_and_upload(client, user.headers, wall_png())
    browser = await browser_session(server.url, user.email, user.password)
    cookie = {"Cookie": f"saekdam_session={browser.cookies['saekdam_session']}"}
    await browser.aclose()
    ws_url = server.url.replace("http://", "ws://") + f"/api/tasks/{task['id']}/ws"

    # another site's page: refused before any event
    assert await close_code(ws_url, origin=EVIL, additional_headers=cookie) == 4403
    assert await close_code(ws_url, origin="null", additional_headers=cookie) == 4403
    status, body = await sse_status(server.url, f"/api/tasks/{task['id']}/events", {**cookie, "origin": EVIL})
    assert status == 403 and body is not None and body["code"] == "cross_origin", body
    status, _ = await sse_status(server.url, f"/tasks/{task['id']}/stream", {**cookie, "origin": EVIL})
    assert status == 403

    # the app's own pages
    assert (await first_frame(ws_url, origin=server.url, additional_headers=cookie))["event"] == "task"
    assert (await first_frame(ws_url, additional_headers=cookie))["event"] == "task"  # no Origin: no browser

    # bearer and access_token clients, whatever their Origin
    assert (await first_frame(ws_url, origin=EVIL, additional_headers=user.headers))["event"] == "task"
    assert (await first_frame(ws_url + f"?access_token={user.token}", origin=EVIL))["event"] == "task"
