"""Board tests run against real ``saekdam serve`` processes (the session's ``server`` fixture and, for Redis
mode, two more). Succeeded tasks are written straight to the database and the store (tests.board.helpers),
so no test waits for painting except the one that publishes a really painted task."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.board.helpers import make_admin
from tests.support.server import Server
from tests.support.users import ApiUser, new_user


@pytest.fixture
def theme() -> str:
    """A theme slug of this test alone: filtering by it isolates the test's posts from everyone else's."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> ApiUser:
    return await new_user(client, "alice")


@pytest.fixture
async def bob(client: httpx.AsyncClient) -> ApiUser:
    return await new_user(client, "bob")


@pytest.fixture
async def admin(client: httpx.AsyncClient) -> ApiUser:
    user = await new_user(client, "moderator")
    await make_admin(user)
    return user


@pytest.fixture
async def anon(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    """A client with no credentials at all."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        yield http
