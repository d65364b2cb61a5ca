"""Issue 17, finding 12, over real HTTP: no credentials in the access log, X-Forwarded-For believed only from the
configured proxies, a new CSRF token at every log-in. (Settings checks: tests/core/test_settings.py; deep JSON
and anchored CSRF exclusions: the bad-input catalogue.)"""

from __future__ import annotations

import asyncio
import json
import re
import time

import httpx
import pytest
import websockets

from app.__main__ import proxy_options
from app.core.settings import load_settings
from tests.board.helpers import make_task, publish
from tests.support.server import Server
from tests.support.users import new_user

pytestmark = pytest.mark.db


async def _logged(server: Server, marker: str, timeout: float = 10) -> str:
    """The server's log once the access line of the request tagged ``marker`` arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = server.log()
        if marker in log:
            return log
        await asyncio.sleep(0.1)
    raise AssertionError(f"no access line for {marker}")


async def test_access_log_has_no_tokens_or_signatures(server: Server, client: httpx.AsyncClient) -> None:
    user = await new_user(client, "logged")
    task = (await client.get(f"/api/tasks/{await make_task(user)}", headers=user.headers)).json()
    signed = task["result_urls"][0]
    signature = re.search(r"[?&]sig=([^&]+)", signed)
    assert signature, signed
    assert (await client.get(signed)).status_code == 200
    # browsers' WebSockets authenticate with ?access_token= (uvicorn logs the handshake), and a client may
    # send one on HTTP too (refused there, still logged)
    ws_url = server.url.replace("http://", "ws://") + f"/api/tasks/{task['id']}/ws?access_token={user.token}"
    async with websockets.connect(ws_url) as socket:
        assert json.loads(await socket.recv())["event"] == "task"
    assert (await client.get("/api/me", params={"access_token": user.token})).status_code == 401
    marker = f"/healthz/{user.id}"  # a 404 whose access line comes after the two above
    await client.get(marker)
    log = await _logged(server, marker)
    assert user.token not in log and signature.group(1) not in log
    path = signed.split("?", 1)[0].removeprefix(server.url)
    assert re.search(rf'"GET {re.escape(path)} HTTP/1\.1" 200', log), "the path itself is still logged"


async def test_x_forwarded_for_is_not_believed_by_default(client: httpx.AsyncClient) -> None:
    """One anonymous visitor counts one view a day; a spoofed X-Forwarded-For made every request a new visitor."""
    author = await new_user(client, "viewed")
    post = await publish(client, author, title="Counted once")
    counts = []
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        r = await client.get(f"/api/posts/{post['id']}", headers={"x-forwarded-for": address})
        counts.append(r.json()["view_count"])
    assert counts == [1, 1, 1], counts


def test_proxy_headers_only_from_configured_proxies() -> None:
    assert proxy_options(load_settings({}, dotenv=None)) == {"proxy_headers": False, "forwarded_allow_ips": None}
    trusted = load_settings({"SAEKDAM_FORWARDED_ALLOW_IPS": "10.0.0.0/8, 127.0.0.1"}, dotenv=None)
    assert proxy_options(trusted) == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.0/8, 127.0.0.1"}


async def test_csrf_token_is_rotated_at_log_in(server: Server, client: httpx.AsyncClient) -> None:
    user = await new_user(client, "rotated")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as browser:
        await browser.get("/login")
        before = browser.cookies["saekdam_csrf"]
        r = await browser.post(
            "/login", data={"email": user.email, "password": user.password, "next": "/", "_csrf_token": before}
        )
        assert r.status_code in (302, 303), r.text
        after = browser.cookies["saekdam_csrf"]
        assert after != before
        page = await browser.get("/account")
        assert after in page.text and before not in page.text  # forms carry the new token
        # the token known before the log-in (planted, or read by someone else) no longer passes
        assert (await browser.post("/account/logout-all", data={"_csrf_token": before})).status_code == 403
        done = await browser.post("/account/logout-all", data={"_csrf_token": after})
        assert done.status_code in (302, 303), done.text
