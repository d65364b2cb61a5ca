"""Piccolo Admin at /admin/: only admins get in; `saekdam createsuperuser` makes one."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import httpx
import pytest

from tests.support.server import ROOT, Server
from tests.support.users import new_user

pytestmark = pytest.mark.db


async def _admin_login(http: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    await http.get("/admin/public/login/")  # sets the admin's own csrftoken cookie
    return await http.post("/admin/public/login/", json={"username": username, "password": password},
                           headers={"x-csrftoken": http.cookies.get("csrftoken", "")})


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
    done = subprocess.run([sys.executable, "-m", "app", "createsuperuser", "--email", email, "--nickname", "관리자",
                           "--password", password], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True)
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
    done = subprocess.run([sys.executable, "-m", "app", "createsuperuser", "--email", "bad", "--nickname", "x",
                           "--password", "short"], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True)
    assert done.returncode != 0 and "email" in done.stderr


async def test_admin_edits_a_themes_default_guide(server: Server) -> None:
    """The theme's default ``guide`` is a column in the admin; a task that leaves guide to the theme uses it."""
    from tests.support.flow import create_and_upload, wait_terminal, wall_png

    email, password = f"admin{uuid.uuid4().hex[:8]}@example.com", "admin-pass-123"
    done = subprocess.run([sys.executable, "-m", "app", "createsuperuser", "--email", email, "--nickname", "관리자",
                           "--password", password], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True)
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
            sub = await http.post(f"/api/tasks/{task['id']}/submit", headers=user.headers, json={
                "theme": "animals", "prompt": "고양이", "region": {"mode": "box", "box": [20, 12, 120, 70]},
                "steps": 2})
            assert sub.status_code == 202 and sub.json()["guide"] == "lines", sub.text
            final = await wait_terminal(http, user.headers, task["id"])
            assert final["status"] == "succeeded" and final["guide"] == "lines", final
            themes = (await http.get("/api/themes")).json()["items"]
            assert next(t for t in themes if t["slug"] == "animals")["default_guide"] == "lines"
        finally:
            await http.patch(url, json={"default_guide": "none"}, headers=headers)
