"""Refuse input that no field of Saekdam can hold, once, before any handler or query sees it.

- U+0000 (NUL) in a query string, a JSON body (raw or as the ``\\u0000`` escape) or a form body: PostgreSQL
  text cannot store it (asyncpg raised, which answered 500), and no field needs it. 400 ``invalid_input``.
- A JSON or form body that is not UTF-8: msgspec raised UnicodeDecodeError (a 500). 400 ``invalid_json``.
- JSON nested deeper than ``MAX_JSON_DEPTH`` (no field of ours nests more than a few levels): 1,200 levels
  made msgspec raise RecursionError (a 500 with a traceback). 400 ``invalid_json``.
- An ``/api`` body that is not JSON (api.md: JSON in): a ``text/plain`` body was decoded as JSON anyway and a
  form body gave a vague 400. 415 ``unsupported_media_type``.

Bodies are checked as they stream past, at most ``MAX_CHECKED_BYTES`` of them (Litestar refuses larger ones).
Signed file uploads (``/files``) carry bytes, not text, and are not touched.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import anyio
import msgspec
import numpy as np
from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import FieldError, InvalidInput, UnsupportedMedia
from app.core.i18n import translate
from app.web.request import language

MAX_CHECKED_BYTES = 10 * 1024 * 1024 + 1  # Litestar's default request_max_body_size, plus one byte
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_JSON_NUL_ESCAPE = re.compile(rb"(\\+)u0000")
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
# brackets → +1 / -1 (as int8 bytes), everything else deleted, so the running sum is the nesting depth
_NESTING = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _media_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in (b"", b"0")):
            return True
    return False


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def _json_has_nul(body: bytes) -> bool:
    """A raw NUL byte, or a ``\\u0000`` escape (an odd run of backslashes before ``u0000``)."""
    return b"\x00" in body or any(len(m.group(1)) % 2 == 1 for m in _JSON_NUL_ESCAPE.finditer(body))


def json_too_deep(body: bytes) -> bool:
    """Arrays and objects nested deeper than ``MAX_JSON_DEPTH`` (brackets inside strings do not count).

    Cheap for ordinary bodies (fewer brackets than the limit cannot nest past it); a scan in C (regex,
    translate, numpy) otherwise."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS).translate(_NESTING)
    return bool(brackets) and int(np.frombuffer(brackets, dtype=np.int8).cumsum(dtype=np.int64).max()) > MAX_JSON_DEPTH


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


def _nul_json_fields(body: bytes) -> list[str]:
    """The top-level fields holding a NUL, to name them in ``errors`` ("body" when there are none)."""
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return ["body"]
    if isinstance(value, dict):
        return sorted(k for k, v in value.items() if _contains_nul(k) or _contains_nul(v)) or ["body"]
    return ["body"]


def _invalid(scope: Scope, fields: list[str], code: str | None = None) -> InvalidInput:
    lang = language(ASGIConnection(scope))
    return InvalidInput(code, errors=[FieldError(field=f, message=translate(lang, "field_invalid")) for f in fields])


def _nul_query_fields(scope: Scope) -> list[str]:
    raw: bytes = scope.get("query_string", b"")
    if b"\x00" not in raw and b"%00" not in raw.lower():
        return []
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace")
    return sorted({name for name, value in pairs if "\x00" in name or "\x00" in value}) or ["query"]


def input_guard_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path: str = scope["path"]
        nul_fields = _nul_query_fields(scope)
        if nul_fields:
            raise _invalid(scope, nul_fields)
        if scope.get("method") not in BODY_METHODS or path.startswith("/files/") or not _has_body(scope):
            await app(scope, receive, send)
            return
        media_type = _media_type(scope)
        is_json = _is_json(media_type)
        if path.startswith("/api/") and not is_json:
            raise UnsupportedMedia()
        if not is_json and media_type != "application/x-www-form-urlencoded":
            await app(scope, receive, send)
            return

        seen = bytearray()

        async def checked_receive() -> Message:
            message: Any = await receive()
            if message["type"] != "http.request" or len(seen) >= MAX_CHECKED_BYTES:
                return message
            seen.extend(message.get("body", b"")[: MAX_CHECKED_BYTES - len(seen)])
            if message.get("more_body", False) and len(seen) < MAX_CHECKED_BYTES:
                return message
            body = bytes(seen)
            if is_json:
                try:
                    body.decode("utf-8")
                except UnicodeDecodeError:
                    raise _invalid(scope, ["body"], "invalid_json") from None
                # a big body full of brackets takes tens of milliseconds to scan: not on the event loop
                deep = (
                    await anyio.to_thread.run_sync(json_too_deep, body)
                    if len(body) > 256 * 1024
                    else json_too_deep(body)
                )
                if deep:
                    raise _invalid(scope, ["body"], "invalid_json")
                if _json_has_nul(body):
                    raise _invalid(scope, _nul_json_fields(body))
            else:
                fields = [
                    name
                    for name, value in parse_qsl(
                        body.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace"
                    )
                    if "\x00" in name or "\x00" in value
                ]
                if fields or b"\x00" in body:
                    raise _invalid(scope, sorted(set(fields)) or ["body"])
            return message

        await app(scope, checked_receive, send)  # type: ignore[arg-type]  # a receive that returns what it was given

    return middleware
