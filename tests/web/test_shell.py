"""The web shell and operations endpoints over real HTTP."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.db


async def test_health_ready_home_schema(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
    home = await client.get("/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert "색담" in home.text and 'lang="ko"' in home.text
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/auth/token" in schema["paths"]


async def test_english_switch_and_request_id(client: httpx.AsyncClient) -> None:
    r = await client.get("/lang/en?next=/", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"] == "/"
    async with httpx.AsyncClient(base_url=str(client.base_url), cookies={"lang": "en"}) as english:
        home = await english.get("/")
    assert 'lang="en"' in home.text and "Create a mural" in home.text
    assert home.headers.get("x-request-id")
    off_site = await client.get("/lang/en?next=//evil.example", follow_redirects=False)
    assert off_site.headers["location"] == "/"


async def test_pages_escape_and_errors_are_friendly(client: httpx.AsyncClient) -> None:
    page = await client.get("/nowhere")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = await client.get("/api/nowhere")
    assert api.status_code == 404 and api.json() == {"status": 404, "code": "not_found", "detail": "찾을 수 없습니다."}


async def test_static_assets_are_served_locally(client: httpx.AsyncClient) -> None:
    for path in ("/static/vendor/htmx.min.js", "/static/vendor/sse.js", "/static/css/app.css"):
        r = await client.get(path)
        assert r.status_code == 200 and len(r.content) > 100, path
    home = (await client.get("/")).text
    assert "https://" not in home.replace("https://schema", "")  # no CDN links
