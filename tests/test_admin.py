"""Piccolo Admin at /admin/: only admins get in; `saekdam createsuperuser` makes one."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import httpx
import pytest

from tests.support.server import ROOT, Server
from tests.support.users import bearer, browser_session, new_admin, new_user, visitor_from_own_address

pytestmark = pytest.mark.db


async def _admin_login(http: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    await http.get("/admin/public/login/")  # sets the admin's own csrftoken cookie
    return await http.post(
        "/admin/public/login/",
        json={"username": username, "password": password},
        headers={"x-csrftoken": http.cookies.get("csrftoken", "")},
    )


async def test_non_admin_is_refused(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        r = await http.get("/admin", follow_redirects=False)
        assert r.status_code in (301, 302, 307, 308) and r.headers["location"].endswith("/admin/")
        page = await http.get("/admin/")
        assert page.status_code == 200 and "<html" in page.text.lower()  # the admin's own login screen
        assert (await http.get("/admin/api/tables/")).status_code == 401
        user = await new_user(http)
        await _admin_login(http, user.email, user.password)
        assert (await http.get("/admin/api/tables/")).status_code in (401, 403)
        assert (await http.get("/admin/api/tables/accounts_user/")).status_code in (401, 403)


async def test_superuser_from_cli_sees_users(server: Server) -> None:
    email, password = f"admin{uuid.uuid4().hex[:8]}@example.com", "admin-pass-123"
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
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    async with httpx.AsyncClient(base_url=server.url) as http:
        r = await _admin_login(http, email, password)
        assert r.status_code == 200, r.text
        tables = await http.get("/admin/api/tables/")
        assert tables.status_code == 200 and "accounts_user" in tables.json()
        rows = await http.get("/admin/api/tables/accounts_user/", params={"__page_size": 100, "username": email})
        assert rows.status_code == 200 and any(row["username"] == email for row in rows.json()["rows"])
        # the admin flag shows in the app's own API too
        tok = await http.post("/api/auth/token", json={"email": email, "password": password})
        me = await http.get("/api/me", headers={"authorization": f"Bearer {tok.json()['access_token']}"})
        assert me.json()["is_admin"] is True


def test_createsuperuser_rejects_bad_input() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "createsuperuser", "--email", "bad", "--nickname", "x", "--password", "short"],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "email" in done.stderr


async def test_admin_login_is_the_apps_login(server: Server) -> None:
    """The admin's form goes through the app's authentication: non-admins are refused at the door, and an
    email the app locked after failed logins stays locked there too (429), even with the right password."""
    async with httpx.AsyncClient(base_url=server.url) as http:
        user = await new_user(http)
        r = await _admin_login(http, user.email, user.password)
        assert r.status_code == 403 and "id" not in http.cookies, r.text
        admin = await new_admin(http)
        wrong = await _admin_login(http, admin.email, "not the password")
        assert wrong.status_code == 401
        async with visitor_from_own_address(server.url) as elsewhere:  # its failures count for its own address
            for _ in range(9):
                r = await elsewhere.post("/api/auth/token", json={"email": admin.email, "password": "nope nope"})
                assert r.status_code == 401
        locked = await _admin_login(http, admin.email, admin.password)
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1, locked.text
        assert (await http.get("/admin/api/tables/")).status_code == 401
        no_csrf = await http.post("/admin/public/login/", json={"username": user.email, "password": user.password})
        assert no_csrf.status_code == 403
        labels = (await http.get("/admin/public/translations/en/")).json()["translations"]
        assert labels["Username"] == "Email"  # the form asks for what our accounts log in with


async def test_an_admin_logged_in_to_the_site_enters_the_admin_without_a_second_login(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        admin = await new_admin(http)
        plain = await new_user(http)
    site = await browser_session(server.url, admin.email, admin.password)
    others = await browser_session(server.url, plain.email, plain.password)
    try:
        tables = await site.get("/admin/api/tables/")
        assert tables.status_code == 200 and "accounts_user" in tables.json()
        assert "id" in site.cookies
        assert (await site.get("/admin/api/user/")).json()["username"] == admin.email
        assert (await others.get("/admin/api/tables/")).status_code == 401  # a site session is no admin pass
        # logging out of the site ends the admin session of that browser too
        await site.post("/logout", data={"_csrf_token": site.cookies["saekdam_csrf"]})
        site.cookies.delete("saekdam_session")
        assert (await site.get("/admin/api/tables/")).status_code == 401
    finally:
        await site.aclose()
        await others.aclose()


async def test_changing_the_password_in_the_admin_revokes_every_app_session(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        admin = await new_admin(http)
        assert (await _admin_login(http, admin.email, admin.password)).status_code == 200
        wrong = await http.post(
            "/admin/api/change-password/",
            headers={"x-csrftoken": http.cookies["csrftoken"]},
            json={
                "current_password": "nope nope",
                "new_password": "admin-pass-456",
                "confirm_new_password": "admin-pass-456",
            },
        )
        assert wrong.status_code == 422 and (await http.get("/api/me", headers=admin.headers)).status_code == 200
        r = await http.post(
            "/admin/api/change-password/",
            headers={"x-csrftoken": http.cookies["csrftoken"]},
            json={
                "current_password": admin.password,
                "new_password": "admin-pass-456",
                "confirm_new_password": "admin-pass-456",
            },
        )
        assert r.status_code == 303, r.text
        assert (await http.get("/api/me", headers=admin.headers)).status_code == 401
        assert (await http.get("/admin/api/tables/")).status_code == 401
        await bearer(http, admin.email, "admin-pass-456")


async def test_admin_edits_a_themes_default_guide(server: Server) -> None:
    """The theme's default ``guide`` is a column in the admin; a task that leaves guide to the theme uses it."""
    from tests.support.flow import create_and_upload, wait_terminal, wall_png

    email, password = f"admin{uuid.uuid4().hex[:8]}@example.com", "admin-pass-123"
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
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await _admin_login(http, email, password)).status_code == 200
        rows = await http.get("/admin/api/tables/themes_theme/", params={"slug": "animals", "__page_size": 10})
        assert rows.status_code == 200, rows.text
        theme = next(r for r in rows.json()["rows"] if r["slug"] == "animals")
        assert theme["default_guide"] == "none"
        headers = {"x-csrftoken": http.cookies.get("csrftoken", "")}
        url = f"/admin/api/tables/themes_theme/{theme['id']}/"
        r = await http.patch(url, json={"default_guide": "lines"}, headers=headers)
        assert r.status_code == 200, r.text
        try:
            user = await new_user(http)
            task = await create_and_upload(http, user.headers, wall_png())
            sub = await http.post(
                f"/api/tasks/{task['id']}/submit",
                headers=user.headers,
                json={
                    "theme": "animals",
                    "prompt": "고양이",
                    "region": {"mode": "box", "box": [20, 12, 120, 70]},
                    "steps": 2,
                },
            )
            assert sub.status_code == 202 and sub.json()["guide"] == "lines", sub.text
            final = await wait_terminal(http, user.headers, task["id"])
            assert final["status"] == "succeeded" and final["guide"] == "lines", final
            themes = (await http.get("/api/themes")).json()["items"]
            assert next(t for t in themes if t["slug"] == "animals")["default_guide"] == "lines"
        finally:
            await http.patch(url, json={"default_guide": "none"}, headers=headers)
