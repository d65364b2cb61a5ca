"""Static files under content-hashed names, cached for a year by browsers (and compressed once each).

``StaticAssets`` hashes every file under ``app/static`` once, at start-up: templates write
``static("css/app.css")`` and get ``/static/css/app.1a2b3c4d5e.css``, a URL whose bytes never change, so
it is served with ``Cache-Control: immutable``. A new deploy changes the hash, hence the URL. The plain
name still answers (ES module imports, old cached pages) with ``no-cache`` and an ETag. Text files are
compressed once per encoding and kept in memory; the app's compression middleware leaves them alone.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio.to_thread
import brotli
from litestar import Request, Response, route
from litestar.exceptions import NotFoundException
from litestar.status_codes import HTTP_304_NOT_MODIFIED

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_LEN = 10
COMPRESSIBLE = (".css", ".js", ".mjs", ".svg", ".json", ".webmanifest", ".html", ".txt", ".map", ".ico")
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".mjs")


@dataclass(slots=True)
class Asset:
    path: Path
    digest: str
    content_type: str
    compressible: bool
    encoded: dict[str, bytes] = field(default_factory=dict)  # encoding → body, filled on first request

    @property
    def etag(self) -> str:
        return f'"{self.digest}"'

    def body(self, encoding: str) -> bytes:
        if encoding not in self.encoded:
            raw = self.path.read_bytes()
            if encoding == "br":  # the densest setting where it stays fast (big vendor bundles: a little less)
                quality = 11 if len(raw) < 512 * 1024 else 9
                self.encoded[encoding] = brotli.compress(raw, quality=quality, mode=brotli.MODE_TEXT)
            elif encoding == "gzip":
                self.encoded[encoding] = gzip.compress(raw, compresslevel=9, mtime=0)
            else:
                self.encoded[encoding] = raw
        return self.encoded[encoding]


def hashed_name(name: str, digest: str) -> str:
    """``css/app.css`` → ``css/app.<digest>.css`` (the digest before the last suffix)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or "/" in ext:
        return f"{name}.{digest}"
    return f"{stem}.{digest}.{ext}"


class StaticAssets:
    """Every file under ``root`` by its plain and its hashed name."""

    def __init__(self, root: Path, prefix: str = "/static") -> None:
        self.root = root
        self.prefix = prefix.rstrip("/")
        self.by_name: dict[str, Asset] = {}
        self.by_hashed: dict[str, Asset] = {}
        # os.walk follows a linked folder (vendor/ may be a symlink to a shared build), Path.rglob does not
        files = (Path(folder) / f for folder, _, names in os.walk(root, followlinks=True) for f in names)
        for path in sorted(p for p in files if p.is_file()):
            name = path.relative_to(root).as_posix()
            if any(part.startswith(".") for part in name.split("/")):
                continue  # build stamps such as vendor/.installed
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LEN]
            content_type = (
                mimetypes.guess_type(name)[0] or "application/octet-stream"
            )  # text/*: Litestar adds the charset
            asset = Asset(path, digest, content_type, name.lower().endswith(COMPRESSIBLE))
            self.by_name[name] = asset
            self.by_hashed[hashed_name(name, digest)] = asset

    def url(self, name: str, strict: bool = True) -> str:
        """The immutable URL of a static file. An unknown name is a bug in a template, so it raises, unless
        ``strict=False`` (names built from data, such as an admin-made theme's preview): then the plain URL."""
        name = name.lstrip("/").removeprefix("static/")
        asset = self.by_name.get(name)
        if asset is None:
            if not strict:
                return f"{self.prefix}/{name}"
            raise LookupError(f"no static file {name!r} under {self.root}")
        return f"{self.prefix}/{hashed_name(name, asset.digest)}"

    def lookup(self, name: str) -> tuple[Asset, bool] | None:
        """(asset, whether ``name`` was its hashed form), or None."""
        if (asset := self.by_hashed.get(name)) is not None:
            return asset, True
        if (asset := self.by_name.get(name)) is not None:
            return asset, False
        return None

    def version(self) -> str:
        """One digest over every file: changes whenever any static file does (the service worker's cache)."""
        joined = "".join(f"{n}:{a.digest};" for n, a in sorted(self.by_name.items()))
        return hashlib.sha256(joined.encode()).hexdigest()[:HASH_LEN]


def pick_encoding(accept_encoding: str) -> str:
    """``br`` over ``gzip`` over none, from an Accept-Encoding header (q=0 means refused)."""
    offered: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        offered[name.strip()] = q
    for encoding in ("br", "gzip"):
        if offered.get(encoding, offered.get("*", 0.0)) > 0:
            return encoding
    return "identity"


async def asset_response(request: Request[Any, Any, Any], asset: Asset, cache_control: str) -> Response[bytes]:
    """The file's bytes (compressed when the client takes it), with its ETag; 304 when it is unchanged."""
    headers = {"Cache-Control": cache_control, "ETag": asset.etag, "X-Content-Type-Options": "nosniff"}
    if asset.compressible:
        headers["Vary"] = "Accept-Encoding"
    if asset.etag in (request.headers.get("if-none-match") or ""):
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    encoding = pick_encoding(request.headers.get("accept-encoding") or "") if asset.compressible else "identity"
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    body = asset.encoded.get(encoding)
    if body is None:  # the first request for this encoding: read and compress off the event loop
        body = await anyio.to_thread.run_sync(asset.body, encoding)
    return Response(b"" if request.method == "HEAD" else body, media_type=asset.content_type, headers=headers)


@route(
    "/static/{name:path}", http_method=["GET", "HEAD"], include_in_schema=False, exclude_from_auth=True, name="static"
)
async def serve_static(request: Request[Any, Any, Any], name: str) -> Response[bytes]:
    found = request.app.state.assets.lookup(name.lstrip("/"))
    if found is None:
        raise NotFoundException()
    asset, hashed = found
    return await asset_response(request, asset, IMMUTABLE if hashed else REVALIDATE)
