"""The app's own file endpoint for local storage: ``PUT``/``GET``/``HEAD /files/{key}`` with signed URLs.

asgi.py always mounts ``FilesController`` and provides the process's store as the dependency named ``storage``
(from ``app.state``). It serves only a ``LocalStorage`` (embedded mode); with any other store the endpoint
answers 404, because S3 serves its own presigned URLs.
An ``upload_gate`` in the app's state (``async (key) -> None``, raising an ``AppError``) may refuse an upload
whose key no longer waits for bytes (a deleted or submitted task).
Errors here always have the API's shape ``{"status", "code", "detail"}``, whatever the app's handlers do.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import anyio
import msgspec
from litestar import Controller, Request, Response, get, head, put
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File

from app.core.errors import AppError
from app.core.i18n import translate
from app.storage.errors import (
    AlreadyUploaded,
    ContentTypeMismatch,
    FileNotFound,
    RequestTimeout,
    SizeMismatch,
    UnsupportedImage,
    UploadTooLarge,
)
from app.storage.images import SNIFF_BYTES, matches_image_type, needs_image_check
from app.storage.local import LocalStat, LocalStorage
from app.storage.names import content_disposition, validate_key
from app.web.request import language


class UploadReceipt(msgspec.Struct, kw_only=True):
    key: str
    size: int
    content_type: str


def app_error_response(request: Request, exc: AppError) -> Response[dict[str, object] | None]:
    """The API's error body in the request's language (English keeps the technical detail); HEAD answers
    carry only the status and headers."""
    lang = language(request)
    detail = exc.detail if lang == "en" and exc.detail else translate(lang, exc.code, **exc.params)
    body = {"status": exc.status, "code": exc.code, "detail": detail}
    return Response(
        None if request.method == "HEAD" else body,
        status_code=exc.status,
        headers={"Cache-Control": "no-store", **exc.headers},
        media_type="application/json",
    )


def _local(storage: object, key: str) -> LocalStorage:
    if not isinstance(storage, LocalStorage):
        raise FileNotFound(detail="this server does not hold files")
    try:
        validate_key(key)
    except ValueError:
        raise FileNotFound(detail="no such file") from None
    return storage


def _declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.strip().isdigit():
        raise SizeMismatch(detail="malformed Content-Length")
    return int(raw)


async def _drain(request: Request, max_bytes: int) -> None:
    """Read and drop the body of an upload refused before it was read (at most ``max_bytes``).

    Closing a connection with unread request bytes makes the kernel send a reset, which can destroy the
    error answer before the client reads it; a body over the limit is not worth reading, so it is not.
    """
    declared = request.headers.get("content-length", "")
    if not declared.strip().isdigit() or int(declared) > max_bytes:
        return
    async for _ in request.stream():
        pass


def _size_error(received: int, expected: int, max_bytes: int) -> AppError:
    if received > max_bytes:
        return UploadTooLarge(detail=f"uploads are limited to {max_bytes} bytes")
    return SizeMismatch(detail=f"the URL accepts exactly {expected} bytes, got {received}")


async def _chunks(request: Request, idle_timeout_s: float | None) -> Any:
    """The body's chunks; 408 when none came for ``idle_timeout_s`` (a slow upload holds no connection for ever)."""
    stream = request.stream()
    while True:
        try:
            with anyio.fail_after(idle_timeout_s):
                chunk = await anext(stream)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise RequestTimeout(detail=f"no upload bytes for {idle_timeout_s:g} s") from None
        yield chunk


async def _receive(
    request: Request, temp: Path, content_type: str, expected: int, max_bytes: int, idle_timeout_s: float | None = None
) -> int:
    """Stream the body into ``temp``, refusing wrong image bytes and any byte past ``expected``."""
    received = 0
    head = b""
    checked = not needs_image_check(content_type)
    async with await anyio.open_file(temp, "wb") as fh:
        async for chunk in _chunks(request, idle_timeout_s):
            if not chunk:
                continue
            received += len(chunk)
            if received > expected:
                raise _size_error(received, expected, max_bytes)
            if not checked:
                head += chunk[: SNIFF_BYTES - len(head)]
                if len(head) >= SNIFF_BYTES or received == expected:
                    if not matches_image_type(content_type, head):
                        raise UnsupportedImage(detail=f"the bytes are not a {content_type} image")
                    checked = True
            await fh.write(chunk)
    if received != expected:
        raise _size_error(received, expected, max_bytes)
    return received


def _file_response(found: LocalStat, filename: str | None, expires: int) -> File:
    max_age = max(0, math.floor(expires - time.time()))
    return File(
        found.path,
        media_type=found.content_type,
        headers={
            "Cache-Control": f"private, max-age={max_age}",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": content_disposition(filename),
        },
    )


class FilesController(Controller):
    """Thin: checks the signed grant, then streams bytes to or from ``LocalStorage``.

    ``storage`` is typed ``Any`` on purpose: Litestar isinstance-checks dependencies against their
    annotation, and ``app.core.storage.Storage`` is a plain (not runtime-checkable) Protocol.
    """

    path = "/files"
    tags = ["files"]
    include_in_schema = False  # signed URLs are handed out by the API, never built by clients
    exception_handlers = {AppError: app_error_response}

    @put("/{key:path}", operation_id="UploadFile", status_code=201, request_max_body_size=None)
    async def upload(self, request: Request, storage: NamedDependency[Any], key: FromPath[str]) -> UploadReceipt:
        key = key.removeprefix("/")  # Litestar keeps the leading slash of a :path
        local = storage if isinstance(storage, LocalStorage) else None
        try:
            local = _local(storage, key)
            grant = local.verify_upload(key, request.query_params)
            if (request.headers.get("content-type") or "").strip().lower() != grant.content_type:
                raise ContentTypeMismatch(detail=f"this URL accepts only Content-Type {grant.content_type}")
            declared = _declared_length(request)
            if declared is not None and declared != grant.size:
                raise _size_error(declared, grant.size, local.max_upload_bytes)
            if grant.size > local.max_upload_bytes:
                raise UploadTooLarge(detail=f"uploads are limited to {local.max_upload_bytes} bytes")
            if await local.exists(key):
                raise AlreadyUploaded(detail="an object was already uploaded to this URL")
            gate = getattr(request.app.state, "upload_gate", None)  # the app's say on whether the key still waits
            if gate is not None:
                await gate(key)
        except AppError:
            await _drain(request, local.max_upload_bytes if local is not None else 0)
            raise
        temp = await local.new_upload_file()
        try:
            settings = getattr(request.app.state, "settings", None)
            idle = settings.upload_idle_timeout_s if settings is not None else None
            size = await _receive(request, temp, grant.content_type, grant.size, local.max_upload_bytes, idle)
            await local.commit_upload(temp, key, grant.content_type)
        finally:
            await local.discard(temp)
        return UploadReceipt(key=key, size=size, content_type=grant.content_type)

    @get("/{key:path}", operation_id="DownloadFile")
    async def download(self, request: Request, storage: NamedDependency[Any], key: FromPath[str]) -> File:
        return await self._serve(request, storage, key)

    @head("/{key:path}", operation_id="HeadFile")
    async def head_file(self, request: Request, storage: NamedDependency[Any], key: FromPath[str]) -> File:
        return await self._serve(request, storage, key)

    async def _serve(self, request: Request, storage: object, key: str) -> File:
        key = key.removeprefix("/")  # Litestar keeps the leading slash of a :path
        local = _local(storage, key)
        grant = local.verify_download(key, request.query_params)
        found = await local.stat(key)
        if found is None:
            raise FileNotFound(detail="no such file")
        return _file_response(found, grant.filename, grant.expires)
