"""Helpers for the in-process API tests (the ``api`` fixture's Litestar test client)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.accounts.tables import User
from app.board.schemas import Viewer


async def bearer(api: AsyncTestClient[Litestar], nickname: str) -> dict[str, str]:
    """Sign up and get a token, as an API client does; the Authorization header."""
    email, password = f"{nickname}@example.com", "password-123"
    r = await api.post("/api/auth/signup", json={"email": email, "password": password, "nickname": nickname})
    assert r.status_code == 201, r.text
    r = await api.post("/api/auth/token", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def viewer(nickname: str) -> Viewer:
    """The account signed up as ``nickname``, as the services see it."""
    user = await User.objects().where(User.username == f"{nickname}@example.com").first()
    assert user is not None
    return Viewer(id=int(user.id), public_id=str(user.public_id), nickname=user.nickname)
