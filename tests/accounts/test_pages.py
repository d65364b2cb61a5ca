"""Browser-style sign-up, log-in and log-out through the pages, with the CSRF cookie."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.support.server import Server

pytestmark = pytest.mark.db


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "form has no CSRF token"
    return match.group(1)


async def test_signup_login_logout_with_session_cookie(server: Server) -> None:
    email = f"p{uuid.uuid4().hex[:10]}@example.com"
    async with httpx.AsyncClient(base_url=server.url) as browser:
        page = await browser.get("/signup")
        assert page.status_code == 200 and "회원가입" in page.text
        form = {"_csrf_token": _csrf(page.text), "email": email, "nickname": "브라우저", "password": "pw-12345678"}
        refused = await browser.post("/signup", data=form)  # the terms were not accepted
        assert refused.status_code == 400 and "이용약관과 개인정보 처리방침에 동의해 주세요." in refused.text
        assert 'href="/terms"' in page.text and 'href="/privacy"' in page.text
        r = await browser.post("/signup", data={**form, "terms": "accepted"})
        assert r.status_code in (302, 303) and r.headers["location"] == "/create"
        cookie = browser.cookies.get("saekdam_session")
        assert cookie
        set_cookie = r.headers["set-cookie"].lower()
        assert "httponly" in set_cookie and "samesite=lax" in set_cookie

        home = await browser.get("/")
        assert "브라우저" in home.text  # the header shows who is logged in

        r = await browser.post("/logout", data={"_csrf_token": _csrf(home.text)})
        assert r.status_code in (302, 303)
        assert "브라우저" not in (await browser.get("/")).text

        login = await browser.get("/login")
        r = await browser.post(
            "/login", data={"_csrf_token": _csrf(login.text), "email": email, "password": "pw-12345678"}
        )
        assert r.status_code in (302, 303)
        me = await browser.get("/api/me")
        assert me.status_code == 200 and me.json()["email"] == email


async def test_form_post_without_csrf_is_refused(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as browser:
        await browser.get("/login")
        r = await browser.post("/login", data={"email": "a@b.cd", "password": "whatever12"})
        assert r.status_code == 403
        r = await browser.post("/signup", data={"email": "a@b.cd", "password": "whatever12", "nickname": "ab"})
        assert r.status_code == 403


async def test_cookie_api_calls_need_the_csrf_header(server: Server) -> None:
    email = f"c{uuid.uuid4().hex[:10]}@example.com"
    async with httpx.AsyncClient(base_url=server.url) as browser:
        page = await browser.get("/signup")
        await browser.post(
            "/signup",
            data={
                "_csrf_token": _csrf(page.text),
                "email": email,
                "nickname": "쿠키",
                "password": "pw-12345678",
                "terms": "accepted",
            },
        )
        refused = await browser.post("/api/auth/logout")
        assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
        token = browser.cookies.get("saekdam_csrf")
        ok = await browser.post("/api/auth/logout", headers={"x-csrftoken": token})
        assert ok.status_code == 204


async def test_signup_page_shows_field_errors(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as browser:
        page = await browser.get("/signup")
        r = await browser.post(
            "/signup", data={"_csrf_token": _csrf(page.text), "email": "nope", "nickname": "x", "password": "short"}
        )
        assert r.status_code == 400
        assert r.text.count('class="field-error"') == 4  # email, nickname, password and the terms
        assert 'value="nope"' in r.text and "short" not in r.text


async def test_terms_and_privacy_pages_say_who_and_how_long(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as browser:
        for path, title in (("/terms", "이용약관"), ("/privacy", "개인정보 처리방침")):
            page = await browser.get(path)
            assert page.status_code == 200 and f"<h1>{title}</h1>" in page.text
            assert "버전 2026-12-01" in page.text and "운영자" in page.text
        privacy = (await browser.get("/privacy")).text
        assert "작업 후 30일 뒤 삭제" in privacy  # SAEKDAM_FILE_RETENTION_DAYS
        english = (await browser.get("/privacy", headers={"accept-language": "en"})).text
        assert "30 days after the task" in english and "Version 2026-12-01" in english
        home = (await browser.get("/")).text
        assert 'href="/terms"' in home and 'href="/privacy"' in home  # in the footer of every page
