"""Accounts over real HTTP against a running ``saekdam serve`` (api.md: Accounts)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.users import new_user, visitor_from_own_address

pytestmark = pytest.mark.db


def _email() -> str:
    return f"a{uuid.uuid4().hex[:10]}@example.com"


async def test_signup_token_me_logout(client: httpx.AsyncClient) -> None:
    email = _email()
    r = await client.post(
        "/api/auth/signup", json={"email": f"  {email.upper()} ", "password": "pw-12345678", "nickname": "벽화가"}
    )
    assert r.status_code == 201
    user = r.json()
    assert user["email"] == email and user["nickname"] == "벽화가" and user["is_admin"] is False
    assert set(user) >= {"id", "email", "nickname", "created_at", "is_admin"}
    uuid.UUID(user["id"])

    r = await client.post("/api/auth/token", json={"email": email.upper(), "password": "pw-12345678"})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    headers = {"authorization": f"Bearer {body['access_token']}"}

    me = await client.get("/api/me", headers=headers)
    assert me.status_code == 200 and me.json() == user

    out = await client.post("/api/auth/logout", headers=headers)
    assert out.status_code == 204
    again = await client.get("/api/me", headers=headers)
    assert again.status_code == 401
    assert again.json()["code"] == "invalid_token"


async def test_wrong_password_is_401_and_duplicate_email_is_409(client: httpx.AsyncClient) -> None:
    u = await new_user(client)
    r = await client.post("/api/auth/token", json={"email": u.email, "password": "not the password"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
    dup = await client.post(
        "/api/auth/signup", json={"email": u.email.upper(), "password": "whatever123", "nickname": "dup"}
    )
    assert dup.status_code == 409 and dup.json()["code"] == "email_taken"


async def test_invalid_fields_are_all_listed_in_the_request_language(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/auth/signup",
        json={"email": "not-an-email", "password": "short", "nickname": "x"},
        headers={"accept-language": "en-US,en;q=0.9"},
    )
    assert r.status_code == 400
    body = r.json()
    assert body["status"] == 400 and body["code"] == "invalid_input"
    assert {e["field"] for e in body["errors"]} == {"email", "password", "nickname"}
    assert "Must be 8–128 characters" in next(e["message"] for e in body["errors"] if e["field"] == "password")
    ko = await client.post("/api/auth/signup", json={"email": "x"})
    assert {e["field"] for e in ko.json()["errors"]} == {"email", "password", "nickname"}
    assert "필수" in next(e["message"] for e in ko.json()["errors"] if e["field"] == "password")


async def test_client_cannot_make_itself_admin_and_no_hash_leaks(client: httpx.AsyncClient) -> None:
    email = _email()
    r = await client.post(
        "/api/auth/signup",
        json={
            "email": email,
            "password": "pw-12345678",
            "nickname": "sneaky",
            "is_admin": True,
            "admin": True,
            "id": "x",
        },
    )
    assert r.status_code in (201, 400)
    if r.status_code == 201:
        assert r.json()["is_admin"] is False
        assert "pbkdf2" not in r.text and "password" not in r.json()
    tok = await client.post("/api/auth/token", json={"email": email, "password": "pw-12345678"})
    me = await client.get("/api/me", headers={"authorization": f"Bearer {tok.json()['access_token']}"})
    assert me.json()["is_admin"] is False
    assert "pbkdf2" not in me.text and "password" not in me.json()  # (has_password says only whether one is set)


async def test_garbage_bodies_are_400(client: httpx.AsyncClient) -> None:
    for body in (b"", b"{", b"[]", b"null", b'"x"'):
        r = await client.post("/api/auth/signup", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 400, (body, r.text)
        assert r.json()["code"] in ("invalid_input", "invalid_json", "bad_request")


async def test_forged_token_is_401(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/me", headers={"authorization": "Bearer forged-token"})
    assert r.status_code == 401


async def test_failed_logins_are_limited_per_email(client: httpx.AsyncClient) -> None:
    u = await new_user(client)
    codes = []
    async with visitor_from_own_address(str(client.base_url)) as elsewhere:  # failures count for its own address
        for _ in range(10):
            r = await elsewhere.post("/api/auth/token", json={"email": u.email, "password": "wrong-password"})
            codes.append(r.status_code)
    assert codes == [401] * 10
    blocked = await client.post("/api/auth/token", json={"email": u.email, "password": u.password})
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["retry-after"]) <= 300
    assert blocked.json()["code"] == "too_many_login_failures"
    other = await new_user(client)  # other accounts are not affected by this email's lock
    ok = await client.post("/api/auth/token", json={"email": other.email, "password": other.password})
    assert ok.status_code == 200
