"""Sign-ups are limited per client address (``SAEKDAM_SIGNUP_PER_ADDRESS_PER_HOUR``) over the API and the page:
past the limit a 429 with ``Retry-After`` and api.md's error body (``rate_limited``), and no account is made."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import Deployed, start_own_server, state

pytestmark = pytest.mark.db

PER_ADDRESS = 3


@pytest.fixture(scope="module")
def limited(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    d = start_own_server(
        log_dir,
        tmp_path_factory.mktemp("signup-var"),
        "signup-limits",
        SAEKDAM_SIGNUP_PER_ADDRESS_PER_HOUR=str(PER_ADDRESS),
        SAEKDAM_SIGNUP_PER_HOUR="1000",
    )
    yield d
    d.server.stop()


def account(name: str) -> dict[str, str]:
    return {"email": f"{name}-{uuid.uuid4().hex[:8]}@example.com", "password": "signup-password-1", "nickname": name}


async def test_signups_past_the_per_address_limit_get_429_with_retry_after(limited: Deployed) -> None:
    async with httpx.AsyncClient(base_url=limited.server.url, timeout=60) as http:
        for i in range(PER_ADDRESS):
            r = await http.post("/api/auth/signup", json=account(f"ok{i}"))
            assert r.status_code == 201, r.text
        before = await state(limited)

        refused = await http.post("/api/auth/signup", json=account("fourth"), headers={"accept-language": "en"})
        assert refused.status_code == 429, refused.text
        assert 0 < int(refused.headers["retry-after"]) <= 3600
        body = refused.json()
        assert body["status"] == 429 and body["code"] == "rate_limited" and body["detail"], body

        # the sign-up page counts against the same limit
        await http.get("/signup")
        page = await http.post(
            "/signup", data={**account("page"), "terms": "accepted", "_csrf_token": http.cookies["saekdam_csrf"]}
        )
        assert page.status_code == 429, page.text[:500]
        assert int(page.headers["retry-after"]) > 0
        assert "text/html" in page.headers["content-type"]

        after = await state(limited)
        assert before.counts() == after.counts(), before.diff(after)
