"""Sign-in with an OpenID Connect provider from a native app (``POST /api/auth/oidc/{provider}/token``)
against a real provider on loopback (npm ``oidc-provider``), configured as the Kakao preset and as a
generic provider: genuine id_tokens sign in (an account made at first, the same one after); forged, expired,
wrongly addressed or foreign tokens are refused; a verified email of an existing account is never taken
over without that account's confirmation."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.support.accounts import CORP, CORP_NATIVE, ELSEWHERE, KAKAO, NOWHERE, AccountsDeployment
from tests.support.users import new_user

pytestmark = pytest.mark.db


async def _kakao_id_token(accounts: AccountsDeployment, sub: str, **claims: object) -> str:
    accounts.oidc.add_account(sub, **claims)
    tokens = await accounts.oidc.code_flow(
        KAKAO["client_id"],
        KAKAO["client_secret"],
        f"{accounts.url}/auth/oidc/kakao/callback",
        sub,
        scope="openid profile_nickname account_email",
        auth_method="client_secret_post",
    )
    return str(tokens["id_token"])


async def _token(http: httpx.AsyncClient, provider: str, id_token: str, **extra: str) -> httpx.Response:
    return await http.post(
        f"/api/auth/oidc/{provider}/token", json={"id_token": id_token, **extra}, headers={"accept-language": "en"}
    )


async def test_kakao_id_token_signs_in_and_finds_the_same_account_again(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    sub = f"kakao-{uuid.uuid4().hex[:8]}"
    email = f"{sub}@example.com"
    id_token = await _kakao_id_token(accounts, sub, email=email, email_verified=True, nickname="카카오친구")
    r = await _token(accounts_http, "kakao", id_token)
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "bearer" and r.json()["expires_in"] > 0
    me = (await accounts_http.get("/api/me", headers={"authorization": f"Bearer {r.json()['access_token']}"})).json()
    assert me["nickname"] == "카카오친구" and me["email"] == email and me["has_password"] is False
    again = await _token(
        accounts_http,
        "kakao",
        await _kakao_id_token(accounts, sub, email=email, email_verified=True, nickname="새 닉네임"),
    )
    me2 = (
        await accounts_http.get("/api/me", headers={"authorization": f"Bearer {again.json()['access_token']}"})
    ).json()
    assert me2["id"] == me["id"] and me2["nickname"] == "카카오친구"  # the account, not a copy; its own nickname
    rows = await accounts.sql("SELECT provider, subject FROM accounts_identity WHERE subject = $1", sub)
    assert rows == [{"provider": "kakao", "subject": sub}]


async def test_generic_provider_accepts_a_native_apps_audience(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    sub = f"corp-{uuid.uuid4().hex[:8]}"
    accounts.oidc.add_account(sub, nickname="회사사람")
    tokens = await accounts.oidc.code_flow(CORP_NATIVE, "ios-secret-123", NOWHERE, sub, scope="openid profile")
    r = await _token(accounts_http, "corp", tokens["id_token"])
    assert r.status_code == 200, r.text
    me = (await accounts_http.get("/api/me", headers={"authorization": f"Bearer {r.json()['access_token']}"})).json()
    assert me["nickname"] == "회사사람" and me["email"] is not None  # no email from the provider: a placeholder
    # the web client's tokens are good for the same provider; the same subject at Kakao is someone else
    tokens = await accounts.oidc.code_flow(CORP["client_id"], CORP["client_secret"], NOWHERE, sub, scope="openid")
    assert (await _token(accounts_http, "corp", tokens["id_token"])).status_code == 200
    kakao = await _token(accounts_http, "kakao", await _kakao_id_token(accounts, sub))
    kakao_me = (
        await accounts_http.get("/api/me", headers={"authorization": f"Bearer {kakao.json()['access_token']}"})
    ).json()
    assert kakao_me["id"] != me["id"]


async def test_refused_id_tokens(accounts: AccountsDeployment, accounts_http: httpx.AsyncClient) -> None:
    oidc = accounts.oidc
    sub = f"kakao-{uuid.uuid4().hex[:8]}"
    now = int(time.time())
    cases = {
        "forged signature": oidc.forge(oidc.claims(KAKAO["client_id"], sub)),
        "wrong audience": oidc.sign(oidc.claims(ELSEWHERE["client_id"], sub)),
        "expired": oidc.sign(oidc.claims(KAKAO["client_id"], sub, iat=now - 7200, exp=now - 3600)),
        "other issuer": oidc.sign({**oidc.claims(KAKAO["client_id"], sub), "iss": "https://kauth.kakao.com"}),
        "no subject": oidc.sign({k: v for k, v in oidc.claims(KAKAO["client_id"], sub).items() if k != "sub"}),
        "not a jwt": "not.a.jwt",
        "alg none": "eyJhbGciOiJub25lIn0." + oidc.sign(oidc.claims(KAKAO["client_id"], sub)).split(".")[1] + ".",
    }
    real = await oidc.code_flow(ELSEWHERE["client_id"], ELSEWHERE["client_secret"], NOWHERE, sub, scope="openid")
    cases["a genuine token issued to another client"] = real["id_token"]
    for name, id_token in cases.items():
        r = await _token(accounts_http, "kakao", id_token)
        assert r.status_code == 401 and r.json()["code"] == "invalid_id_token", (name, r.text)
        assert r.json()["detail"] == "The sign-in token (id_token) is not valid or has expired.", name
    nonce = await _token(
        accounts_http, "kakao", oidc.sign(oidc.claims(KAKAO["client_id"], sub, nonce="abc")), nonce="xyz"
    )
    assert nonce.status_code == 401
    assert (await accounts.sql("SELECT id FROM accounts_identity WHERE subject = $1", sub)) == []
    unknown = await _token(accounts_http, "naver", oidc.sign(oidc.claims(KAKAO["client_id"], sub)))
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert (await _token(accounts_http, "kakao", oidc.sign(oidc.claims(KAKAO["client_id"], sub)))).status_code == 200


async def test_an_existing_email_is_not_taken_over(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    owner = await new_user(accounts_http, "원래주인")
    sub = f"kakao-{uuid.uuid4().hex[:8]}"
    verified = await _kakao_id_token(accounts, sub, email=owner.email, email_verified=True, nickname="침입자")
    r = await _token(accounts_http, "kakao", verified)
    assert r.status_code == 409 and r.json()["code"] == "account_link_required", r.text
    # an unverified claim of the same address gets an account of its own, never the owner's
    sub2 = f"kakao-{uuid.uuid4().hex[:8]}"
    unverified = await _kakao_id_token(accounts, sub2, email=owner.email, email_verified=False, nickname="다른사람")
    r2 = await _token(accounts_http, "kakao", unverified)
    assert r2.status_code == 200
    me = (await accounts_http.get("/api/me", headers={"authorization": f"Bearer {r2.json()['access_token']}"})).json()
    assert me["id"] != owner.id and me["email"] != owner.email and me["nickname"] == "다른사람"
    assert (await accounts_http.get("/api/me", headers=owner.headers)).json()["nickname"] == "원래주인"
