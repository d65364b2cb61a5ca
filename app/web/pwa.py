"""The installable web app: manifest, service worker, favicon and the offline page.

The manifest is written per request in the viewer's language with the icons' hashed URLs; the service
worker (``service_worker.js`` beside this module) gets the list of shell files to keep offline, so a new
deploy (new hashes) installs a new worker that drops the old cache. Both live at the site's root: a worker
only controls pages under its own path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template

from app.core.i18n import translate
from app.web.assets import StaticAssets
from app.web.request import language

WORKER_SOURCE = Path(__file__).with_name("service_worker.js")
THEME_COLOR = "#1d3557"
BACKGROUND_COLOR = "#f7f5f1"
OFFLINE_URL = "/offline"
SHELL_PREFIXES = ("css/", "js/", "img/logo", "img/themes/", "vendor/htmx", "vendor/sse")
NOT_SHELL = "api-docs"  # /schema's own files
ICONS = (
    ("img/icons/icon-192.png", "192x192", "any"),
    ("img/icons/icon-512.png", "512x512", "any"),
    ("img/icons/maskable-512.png", "512x512", "maskable"),
)
NO_CACHE = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def shell_urls(assets: StaticAssets) -> list[str]:
    """The hashed URLs of the files every page needs (styles, scripts, images), for the offline cache."""
    return [
        assets.url(name) for name in sorted(assets.by_name) if name.startswith(SHELL_PREFIXES) and NOT_SHELL not in name
    ]


def manifest(assets: StaticAssets, lang: str) -> dict[str, Any]:
    return {
        "id": "/",
        "name": "색담 Saekdam",
        "short_name": "색담",
        "description": translate(lang, "home_lead"),
        "lang": lang,
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "categories": ["photo", "lifestyle"],
        "icons": [
            {"src": assets.url(src), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for src, sizes, purpose in ICONS
        ],
        "shortcuts": [
            {"name": translate(lang, "nav_create"), "url": "/create"},
            {"name": translate(lang, "nav_my"), "url": "/murals"},
            {"name": translate(lang, "nav_board"), "url": "/board"},
        ],
    }


def worker_script(assets: StaticAssets) -> bytes:
    head = (
        f"const VERSION = {json.dumps(assets.version())};\n"
        f"const SHELL = {json.dumps(shell_urls(assets))};\n"
        f"const OFFLINE_URL = {json.dumps(OFFLINE_URL)};\n"
    )
    return head.encode() + WORKER_SOURCE.read_bytes()


class WebAppController(Controller):
    include_in_schema = False

    @get("/manifest.webmanifest", exclude_from_auth=True)
    async def manifest(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        body = json.dumps(manifest(request.app.state.assets, language(request)), ensure_ascii=False)
        return Response(
            body.encode(),
            media_type="application/manifest+json",
            headers={**NO_CACHE, "Vary": "Cookie, Accept-Language"},
        )

    @get("/sw.js", exclude_from_auth=True)
    async def service_worker(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        return Response(worker_script(request.app.state.assets), media_type="text/javascript", headers=NO_CACHE)

    @get("/favicon.ico", exclude_from_auth=True)
    async def favicon(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        asset = request.app.state.assets.by_name["img/icons/favicon.ico"]
        return Response(
            asset.body("identity"),
            media_type="image/x-icon",
            headers={"Cache-Control": "public, max-age=86400", "ETag": asset.etag},
        )

    @get(OFFLINE_URL, exclude_from_auth=True)
    async def offline(self) -> Template:
        """What the service worker shows when a page cannot load: no account details (it is cached)."""
        return Template("offline.html", headers={"Cache-Control": "no-cache"})
