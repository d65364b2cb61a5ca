"""Make users through the real API."""

from __future__ import annotations

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
