"""Password reset by mail through a real SMTP server on loopback (aiosmtpd): the same answer, in about the
same time, whether or not the address has an account; a one-time link valid 30 minutes; using it revokes
every token and session (api.md: Accounts v1.1)."""

from __future__ import annotations

import asyncio
import statistics
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.accounts import RESET_PER_EMAIL, AccountsDeployment
from tests.support.smtp import body_text, first_link
from tests.support.users import bearer, browser_session, new_user

pytestmark = pytest.mark.db


async def _mailed_token(accounts: AccountsDeployment, email: str, count: int = 1) -> str:
    mails = await accounts.smtp.wait_for(email, count)
    link = first_link(mails[-1])
    assert link.startswith(accounts.url + "/reset?token=")
    return parse_qs(urlsplit(link).query)["token"][0]


async def test_reset_mail_link_sets_the_password_and_revokes_everything(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    user = await new_user(accounts_http, "잊은사람")
    app_token = await bearer(accounts_http, user.email, user.password)
    browser = await browser_session(accounts.url, user.email, user.password)
    try:
        r = await accounts_http.post("/api/auth/password-reset", json={"email": user.email.upper()})
        assert r.status_code == 202, r.text
        mail = (await accounts.smtp.wait_for(user.email))[-1]
        assert mail["From"] == "색담 Saekdam <no-reply@saekdam.test>" and mail["To"] == user.email
        assert "비밀번호" in mail["Subject"] and "잊은사람" in body_text(mail) and "30분" in body_text(mail)
        token = await _mailed_token(accounts, user.email)

        short = await accounts_http.post(
            "/api/auth/password-reset/confirm", json={"token": token, "new_password": "short"}
        )
        assert short.status_code == 400 and [e["field"] for e in short.json()["errors"]] == ["new_password"]
        ok = await accounts_http.post(
            "/api/auth/password-reset/confirm", json={"token": token, "new_password": "reset-and-done"}
        )
        assert ok.status_code == 204, ok.text
        for headers in (user.headers, app_token):
            assert (await accounts_http.get("/api/me", headers=headers)).status_code == 401
        assert (await browser.get("/account")).status_code in (302, 303)
        await bearer(accounts_http, user.email, "reset-and-done")
        assert (
            await accounts_http.post("/api/auth/token", json={"email": user.email, "password": user.password})
        ).status_code == 401

        again = await accounts_http.post(
            "/api/auth/password-reset/confirm", json={"token": token, "new_password": "second-time-no"}
        )
        assert again.status_code == 400 and again.json()["code"] == "invalid_token"
        await bearer(accounts_http, user.email, "reset-and-done")  # the refused reuse changed nothing
    finally:
        await browser.aclose()


async def test_a_new_link_kills_none_but_using_one_kills_all(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    user = await new_user(accounts_http)
    for _ in range(2):
        assert (await accounts_http.post("/api/auth/password-reset", json={"email": user.email})).status_code == 202
    mails = await accounts.smtp.wait_for(user.email, 2)
    first, second = (parse_qs(urlsplit(first_link(m)).query)["token"][0] for m in mails[-2:])
    assert first != second
    r = await accounts_http.post(
        "/api/auth/password-reset/confirm", json={"token": first, "new_password": "first-link-wins"}
    )
    assert r.status_code == 204
    r = await accounts_http.post(
        "/api/auth/password-reset/confirm", json={"token": second, "new_password": "second-link"}
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_token"


async def test_expired_and_unknown_links_are_refused(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    user = await new_user(accounts_http)
    assert (await accounts_http.post("/api/auth/password-reset", json={"email": user.email})).status_code == 202
    token = await _mailed_token(accounts, user.email)
    mine = 'WHERE "user" = (SELECT id FROM accounts_user WHERE username = $1)'
    rows = await accounts.sql(f"SELECT created_at, expires_at FROM accounts_password_reset {mine}", user.email)
    assert len(rows) == 1  # valid for 30 minutes: move it 31 minutes into the past
    if accounts.database_url:
        await accounts.sql(
            "UPDATE accounts_password_reset SET expires_at = now() - interval '1 minute', "
            f"created_at = now() - interval '31 minutes' {mine}",
            user.email,
        )
    else:
        await accounts.sql(
            "UPDATE accounts_password_reset SET expires_at = datetime('now', '-1 minute'), "
            f"created_at = datetime('now', '-31 minutes') {mine}",
            user.email,
        )
    for body in ({"token": token, "new_password": "too-late-now"}, {"token": "x" * 43, "new_password": "never-issued"}):
        r = await accounts_http.post("/api/auth/password-reset/confirm", json=body, headers={"accept-language": "en"})
        assert r.status_code == 400 and r.json()["code"] == "invalid_token", r.text
        assert "expired" in r.json()["detail"]
    await bearer(accounts_http, user.email, user.password)


async def test_the_answer_does_not_tell_whether_an_account_exists(
    accounts: AccountsDeployment, accounts_http: httpx.AsyncClient
) -> None:
    user = await new_user(accounts_http)
    nobody = "nobody-" + user.email
    times: dict[str, list[float]] = {user.email: [], nobody: []}
    bodies: dict[str, set[bytes]] = {user.email: set(), nobody: set()}
    for _ in range(7):
        for email in (user.email, nobody):
            started = time.perf_counter()
            r = await accounts_http.post("/api/auth/password-reset", json={"email": email})
            times[email].append(time.perf_counter() - started)
            assert r.status_code == 202
            bodies[email].add(r.content)
            await asyncio.sleep(0.15)  # let the background mail go before the next measurement
    assert bodies[user.email] == bodies[nobody] and len(bodies[nobody]) == 1
    gap = abs(statistics.median(times[user.email]) - statistics.median(times[nobody]))
    assert gap < 0.05, times
    await accounts.smtp.wait_for(user.email, 7)
    assert accounts.smtp.to(nobody) == []


async def test_requests_are_limited_per_address(accounts_http: httpx.AsyncClient) -> None:
    email = "limited-reset@example.com"
    codes = [
        (await accounts_http.post("/api/auth/password-reset", json={"email": email})).status_code
        for _ in range(RESET_PER_EMAIL + 1)
    ]
    assert codes[:RESET_PER_EMAIL] == [202] * RESET_PER_EMAIL and codes[-1] == 429
    r = await accounts_http.post("/api/auth/password-reset", json={"email": email})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and r.json()["code"] == "rate_limited"
