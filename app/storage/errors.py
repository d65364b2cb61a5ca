"""Errors of the signed-URL file endpoint: each becomes ``{"status", "code", "detail"}`` once, in http.py."""

from __future__ import annotations

from app.core.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound, TooLarge, UnsupportedMedia


class InvalidSignature(Forbidden):
    code = "invalid_signature"


class UrlExpired(Forbidden):
    code = "url_expired"


class SizeMismatch(InvalidInput):
    code = "size_mismatch"


class UploadTooLarge(TooLarge):
    code = "too_large"


class ContentTypeMismatch(UnsupportedMedia):
    code = "content_type_mismatch"


class UnsupportedImage(UnsupportedMedia):
    code = "unsupported_image"


class AlreadyUploaded(Conflict):
    """The key already holds an object: an upload never replaces one (the original photo stays)."""

    code = "already_uploaded"


class RequestTimeout(AppError):
    """The body stopped arriving (a slow or stalled upload): refused so the connection is not held."""

    status, code = 408, "request_timeout"

    def __init__(self, **kw: object) -> None:
        super().__init__(headers={"Connection": "close"}, **kw)  # type: ignore[arg-type]  # the keywords are AppError's own, passed through


class FileNotFound(NotFound):
    code = "not_found"
