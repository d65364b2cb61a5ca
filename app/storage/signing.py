"""HMAC-SHA256 signed URLs for the local store: what the URL grants is exactly what was signed.

An upload signature covers method, key, expiry, content type and exact size; a download signature covers
method, key, expiry and the optional attachment name. The key used is derived from the app secret for this
purpose only, so a signature made here can never be replayed as a session or CSRF token (or vice versa).
"""

from __future__ import annotations

import base64
import functools
import hmac
import math
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

import msgspec

from app.storage.errors import InvalidSignature, UrlExpired

_PURPOSE = b"saekdam/storage/signed-url/v1"


class UploadGrant(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    content_type: str
    size: int
    expires: int  # unix seconds


class DownloadGrant(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    filename: str | None
    expires: int  # unix seconds


@functools.lru_cache(maxsize=8)
def _signing_key(secret_key: str) -> bytes:
    return hmac.digest(secret_key.encode(), _PURPOSE, "sha256")


def _signature(secret_key: str, *parts: str) -> str:
    # length-prefixed parts: no choice of key, type or name can make two messages collide
    message = "".join(f"{len(p)}:{p};" for p in parts).encode()
    digest = hmac.digest(_signing_key(secret_key), message, "sha256")  # one-shot: the C fast path
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def expiry(ttl_s: int, now: float | None = None) -> int:
    if ttl_s <= 0:
        raise ValueError("ttl_s must be positive")
    return math.ceil((time.time() if now is None else now) + ttl_s)


def expires_at(exp: int) -> datetime:
    return datetime.fromtimestamp(exp, UTC)


_PLAIN = re.compile(r"[A-Za-z0-9/._~-]*")  # needs no percent-encoding in a path or a query value


def file_url(base_url: str, key: str, params: dict[str, str]) -> str:
    path = key if _PLAIN.fullmatch(key) else quote(key, safe="/")
    if all(_PLAIN.fullmatch(v) for v in params.values()):  # exp, sig and plain names: nothing to encode
        query = "&".join(f"{k}={v}" for k, v in params.items())
    else:
        query = urlencode(params)
    return f"{base_url.rstrip('/')}/files/{path}?{query}"


def sign_upload(secret_key: str, key: str, content_type: str, size: int, exp: int) -> dict[str, str]:
    """Query parameters of a PUT URL (``exp``, ``ct``, ``len``, ``sig``)."""
    sig = _signature(secret_key, "PUT", key, str(exp), content_type, str(size))
    return {"exp": str(exp), "ct": content_type, "len": str(size), "sig": sig}


def sign_download(secret_key: str, key: str, exp: int, filename: str | None = None) -> dict[str, str]:
    """Query parameters of a GET/HEAD URL (``exp``, optional ``dl``, ``sig``)."""
    sig = _signature(secret_key, "GET", key, str(exp), filename or "")
    params = {"exp": str(exp)}
    if filename is not None:
        params["dl"] = filename
    params["sig"] = sig
    return params


def _int_param(query: Mapping[str, str], name: str) -> int:
    raw = query.get(name)
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise InvalidSignature(detail=f"missing or malformed '{name}'")
    return int(raw)


def _check(secret_key: str, query: Mapping[str, str], exp: int, now: float | None, *parts: str) -> None:
    expected = _signature(secret_key, *parts)
    given = query.get("sig") or ""
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        raise InvalidSignature(detail="the URL's signature does not match")
    if (time.time() if now is None else now) >= exp:
        raise UrlExpired(detail="the URL has expired")


def verify_upload(secret_key: str, key: str, query: Mapping[str, str], now: float | None = None) -> UploadGrant:
    """Check a PUT URL's query; raise InvalidSignature (tampered or malformed) or UrlExpired."""
    exp = _int_param(query, "exp")
    size = _int_param(query, "len")
    content_type = query.get("ct") or ""
    _check(secret_key, query, exp, now, "PUT", key, str(exp), content_type, str(size))
    return UploadGrant(key=key, content_type=content_type, size=size, expires=exp)


def verify_download(secret_key: str, key: str, query: Mapping[str, str], now: float | None = None) -> DownloadGrant:
    """Check a GET/HEAD URL's query; raise InvalidSignature (tampered or malformed) or UrlExpired."""
    exp = _int_param(query, "exp")
    filename = query.get("dl") or None
    _check(secret_key, query, exp, now, "GET", key, str(exp), filename or "")
    return DownloadGrant(key=key, filename=filename, expires=exp)
