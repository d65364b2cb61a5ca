"""Domain errors: raised by services, turned into HTTP once (JSON for /api, HTML pages elsewhere)."""

from __future__ import annotations

from typing import Any

import msgspec


class FieldError(msgspec.Struct):
    field: str
    message: str


class AppError(Exception):
    """An error a user may see. ``code`` is a stable snake_case id; the text comes from i18n by code."""

    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        code: str | None = None,
        *,
        status: int | None = None,
        params: dict[str, Any] | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        detail: str | None = None,
    ) -> None:
        self.code = code or type(self).code
        self.status = status or type(self).status
        self.params = params or {}
        self.errors = errors or []
        self.headers = headers or {}
        self.detail = detail
        super().__init__(self.code)


class InvalidInput(AppError):
    status, code = 400, "invalid_input"


class NotAuthenticated(AppError):
    status, code = 401, "not_authenticated"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class TooLarge(AppError):
    status, code = 413, "too_large"


class UnsupportedMedia(AppError):
    status, code = 415, "unsupported_media_type"


class RateLimited(AppError):
    status, code = 429, "rate_limited"

    def __init__(self, code: str | None = None, *, retry_after: int, **kw: Any) -> None:
        super().__init__(code, headers={"Retry-After": str(max(1, int(retry_after)))}, **kw)
        self.retry_after = retry_after


class Unavailable(AppError):
    status, code = 503, "unavailable"
