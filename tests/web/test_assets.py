"""Static files under hashed names, compression by the app, the installable web app and /schema, over
real HTTP against ``saekdam serve``."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from app.web.assets import StaticAssets, hashed_name, pick_encoding
from app.web.compression import compressible

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "app" / "templates"
HASHED = re.compile(r'(?:src|href)="(/static/[^"]+\.[0-9a-f]{10}\.[a-z0-9]+)"')
EXTERNAL = re.compile(r'(?:src|href)=["\']?((?:https?:)?//[^/"\'\s>]+)', re.I)


def other_origins(html: str, own: str) -> set[str]:
    """Origins linked by the page other than the app's own (its signed file URLs are absolute to it)."""
    return {m for m in EXTERNAL.findall(html) if m.split("//", 1)[1] != own.split("//", 1)[1]}


def test_hashed_names_and_encodings() -> None:
    assert hashed_name("css/app.css", "0123456789") == "css/app.0123456789.css"
    assert hashed_name("vendor/htmx.min.js", "0123456789") == "vendor/htmx.min.0123456789.js"
    assert pick_encoding("gzip, deflate, br") == "br"
    assert pick_encoding("gzip") == "gzip"
    assert pick_encoding("br;q=0, gzip;q=0.5") == "gzip"
    assert pick_encoding("") == "identity" and pick_encoding("identity") == "identity"
    assets = StaticAssets(ROOT / "app" / "static")
    url = assets.url("css/app.css")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{10}\.css", url)
    assert assets.url("/static/css/app.css") == url  # a plain /static/ path maps to the same URL
    with pytest.raises(LookupError):
        assets.url("css/nowhere.css")
    assert assets.url("img/themes/nowhere.svg", strict=False) == "/static/img/themes/nowhere.svg"
    assert not any(name.startswith(".") or "/." in name for name in assets.by_name)


def test_compressible_by_content_type() -> None:
    def h(content_type: str, *extra: tuple[bytes, bytes]) -> list[tuple[bytes, bytes]]:
        return [(b"content-type", content_type.encode()), *extra]

    for yes in (
        "text/html; charset=utf-8",
        "text/css",
        "application/json",
        "text/javascript",
        "image/svg+xml",
        "application/manifest+json",
        "application/vnd.oai.openapi+json",
    ):
        assert compressible(h(yes)), yes
    for no in (
        "text/event-stream",
        "image/png",
        "image/webp",
        "image/jpeg",
        "application/zip",
        "application/octet-stream",
    ):
        assert not compressible(h(no)), no
    assert not compressible(h("text/html", (b"content-encoding", b"br")))  # already encoded
    assert not compressible([])


def test_templates_link_static_files_through_the_helper() -> None:
    """Every static file in a template goes through ``static()`` (hashed, immutable): no literal paths."""
    offenders = [str(p.relative_to(ROOT)) for p in TEMPLATES.rglob("*.html") if '"/static/' in p.read_text()]
    assert not offenders, f"use {{{{ static('…') }}}} instead of a literal /static/ path in {offenders}"


async def test_static_files_hashed_immutable_compressed(client: httpx.AsyncClient) -> None:
    home = await client.get("/", headers={"accept-encoding": "br"})
    assert home.headers["content-encoding"] == "br" and "accept-encoding" in home.headers["vary"].lower()
    urls = HASHED.findall(home.text)
    assert {u.split("/static/", 1)[1].rsplit(".", 2)[0] for u in urls} >= {"css/app", "vendor/htmx.min", "js/app"}
    assert not other_origins(home.text, str(client.base_url).rstrip("/")), "the page links another origin"
    for url in urls:
        r = await client.get(url, headers={"accept-encoding": "br, gzip"})
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable", url
        if url.endswith((".css", ".js", ".svg")):
            assert r.headers["content-encoding"] == "br", url
            assert int(r.headers["content-length"]) < len(r.content), url  # the wire size is the compressed one
    css = next(u for u in urls if "/css/app." in u)
    gz = await client.get(css, headers={"accept-encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip"
    plain = await client.get(css, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == gz.content


async def test_plain_names_revalidate_and_bad_paths_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/static/css/app.css")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-cache" and r.headers["etag"]
    again = await client.get("/static/css/app.css", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
    for bad in (
        "/static/css/nowhere.css",
        "/static/../asgi.py",
        "/static/%2e%2e/asgi.py",
        "/static/css/app.0000000000.css",
        "/static/vendor/.installed",
    ):
        assert (await client.get(bad)).status_code == 404, bad
    head = await client.head("/static/css/app.css")
    assert head.status_code == 200 and not head.content


async def test_html_json_compressed_images_and_streams_not(client: httpx.AsyncClient) -> None:
    for path in ("/", "/board", "/login", "/schema/openapi.json", "/api/themes"):
        for encoding in ("br", "gzip"):
            r = await client.get(path, headers={"accept-encoding": encoding})
            assert r.status_code == 200 and r.headers.get("content-encoding") == encoding, (path, encoding)
        bare = await client.get(path, headers={"accept-encoding": "identity"})
        assert "content-encoding" not in bare.headers, path
    icon = await client.get("/favicon.ico", headers={"accept-encoding": "br"})
    assert icon.status_code == 200 and "content-encoding" not in icon.headers
    Image.open(io.BytesIO(icon.content)).verify()
    png = await client.get("/static/img/icons/icon-192.png", headers={"accept-encoding": "br"})
    assert png.headers["content-type"] == "image/png" and "content-encoding" not in png.headers
    # an event stream is neither compressed nor held back: its first frame arrives while it stays open
    started = time.monotonic()
    async with client.stream("GET", "/board/events", headers={"accept-encoding": "br, gzip"}) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in stream.headers
        first = await anext(stream.aiter_raw())
        assert first and time.monotonic() - started < 5
    assert b"retry" in first or b"event" in first or b":" in first


async def test_web_app_manifest_worker_and_offline_page(client: httpx.AsyncClient) -> None:
    home = (await client.get("/")).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in home
    assert 'name="theme-color"' in home and 'rel="apple-touch-icon"' in home
    r = await client.get("/manifest.webmanifest")
    assert r.headers["content-type"].startswith("application/manifest+json")
    data = r.json()
    assert data["start_url"] == "/" and data["scope"] == "/" and data["display"] == "standalone"
    assert data["lang"] == "ko" and data["name"] == "색담 Saekdam" and data["shortcuts"]
    sizes = set()
    for icon in data["icons"]:
        got = await client.get(icon["src"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
        w, h = Image.open(io.BytesIO(got.content)).size
        assert icon["sizes"] == f"{w}x{h}"
        sizes.add((w, icon["purpose"]))
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= sizes
    english = (await client.get("/manifest.webmanifest", headers={"cookie": "lang=en"})).json()
    assert english["lang"] == "en" and english["description"] != data["description"]

    sw = await client.get("/sw.js")
    assert sw.headers["content-type"].startswith("text/javascript") and sw.headers["cache-control"] == "no-cache"
    shell = json.loads(re.search(r"^const SHELL = (.+);$", sw.text, re.M).group(1))  # type: ignore[union-attr]
    assert any("/css/app." in u for u in shell) and any("/vendor/htmx.min." in u for u in shell)
    for url in shell:
        assert (await client.get(url)).status_code == 200, url
    assert re.search(r'^const OFFLINE_URL = "/offline";$', sw.text, re.M)
    offline = await client.get("/offline")
    assert (
        offline.status_code == 200
        and "인터넷에 연결되어 있지 않아요" in offline.text
        and "You are offline" in offline.text
    )
    assert "_csrf_token" not in offline.text and "csrf" not in offline.text.lower()


async def test_schema_docs_served_by_the_app(client: httpx.AsyncClient) -> None:
    for path in ("/schema", "/schema/swagger"):
        page = await client.get(path)
        assert page.status_code == 200 and "swagger-ui" in page.text, path
        assert not other_origins(page.text, str(client.base_url).rstrip("/")), "the docs page links another origin"
        assert "<script>" not in page.text and "<style" not in page.text  # no inline code (CSP)
        for url in HASHED.findall(page.text):
            r = await client.get(url)
            assert r.status_code == 200 and len(r.content) > 100, url
    bundle = next(u for u in HASHED.findall(page.text) if "swagger-ui-bundle" in u)
    assert (await client.get(bundle)).headers["cache-control"].endswith("immutable")
    assert "/api/auth/token" in (await client.get("/schema/openapi.json")).json()["paths"]
    assert (await client.get("/schema/openapi.yaml")).status_code == 200
