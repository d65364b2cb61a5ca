"""Make users through the real API."""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx


class ApiUser:
    def __init__(self, token: str, data: dict[str, Any], email: str, password: str) -> None:
        self.token, self.data, self.email, self.password = token, data, email, password
        self.headers = {"authorization": f"Bearer {token}"}

    @property
    def id(self) -> str:
        return str(self.data["id"])


async def new_user(client: httpx.AsyncClient, nickname: str = "tester") -> ApiUser:
    email = f"u{uuid.uuid4().hex[:12]}@example.com"
    password = "correct horse battery"
    r = await client.post("/api/auth/signup", json={"email": email, "password": password, "nickname": nickname})
    assert r.status_code == 201, r.text
    r2 = await client.post("/api/auth/token", json={"email": email, "password": password})
    assert r2.status_code == 200, r2.text
    return ApiUser(r2.json()["access_token"], r.json(), email, password)


async def new_admin(client: httpx.AsyncClient, env: dict[str, str] | None = None) -> ApiUser:
    """A superuser made the way operators make one (`saekdam createsuperuser`), logged in over the API."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    email, password = f"admin{uuid.uuid4().hex[:10]}@example.com", "admin-pass-123"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "createsuperuser",
            "--email",
            email,
            "--nickname",
            "관리자",
            "--password",
            password,
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    r = await client.post("/api/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    me = await client.get("/api/me", headers={"authorization": f"Bearer {r.json()['access_token']}"})
    return ApiUser(r.json()["access_token"], me.json(), email, password)


async def bearer(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    """Log in over the API; the authorization header of the new token."""
    r = await client.post("/api/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"authorization": f"Bearer {r.json()['access_token']}"}


async def browser_session(base_url: str, email: str, password: str) -> httpx.AsyncClient:
    """A client logged in through the log-in form: session cookie, CSRF cookie (the caller closes it)."""
    browser = httpx.AsyncClient(base_url=base_url, timeout=60)
    await browser.get("/login")
    r = await browser.post(
        "/login",
        data={"email": email, "password": password, "next": "/", "_csrf_token": browser.cookies["saekdam_csrf"]},
    )
    assert r.status_code in (302, 303), r.text
    assert "saekdam_session" in browser.cookies
    return browser


def visitor_from_own_address(base_url: str) -> httpx.AsyncClient:
    """A client that connects from a loopback address of its own (127.x.y.z), so that the server sees another
    client address: X-Forwarded-For is believed only from configured proxies (SAEKDAM_FORWARDED_ALLOW_IPS), and
    the test servers trust none."""
    address = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    return httpx.AsyncClient(base_url=base_url, timeout=30, transport=httpx.AsyncHTTPTransport(local_address=address))
