"""Errors become responses in one place: api.md's JSON shape under /api, friendly pages elsewhere."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from app.core.errors import AppError, FieldError, InvalidInput
from app.core.i18n import translate
from app.core.validation import collect_errors
from app.web.request import is_api, language

log = logging.getLogger("saekdam.errors")

STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ErrorBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    status: int
    code: str
    detail: str
    errors: list[FieldError] | None = None


def render_error(request: Request[Any, Any, Any], exc: AppError) -> Response[Any]:
    lang = language(request)
    detail = exc.detail or translate(lang, exc.code, **exc.params)
    if is_api(request.url.path) or request.scope["type"] == "websocket":
        body = ErrorBody(status=exc.status, code=exc.code, detail=detail, errors=exc.errors or None)
        return Response(body, status_code=exc.status, headers=exc.headers, media_type="application/json")
    if exc.status == 401 and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/login?{urlencode({'next': target})}")  # the query too: "make one like this" fills /create
    context = {"status": exc.status, "detail": detail, "code": exc.code}
    return Template("error.html", context=context, status_code=exc.status, headers=exc.headers)


def _validation_errors(request: Request[Any, Any, Any], exc: ValidationException) -> list[FieldError]:
    """Litestar stops at the first bad field; re-check the body against the handler's Struct for all."""
    lang = language(request)
    param = request.route_handler.parsed_fn_signature.parameters.get("data")
    cached = ScopeState.from_scope(request.scope).body
    body = cached if isinstance(cached, bytes) else b""
    if param is not None and isinstance(param.annotation, type) and issubclass(param.annotation, msgspec.Struct):
        try:
            raw = msgspec.json.decode(body) if body else None
        except msgspec.DecodeError:
            return [FieldError(field="body", message=translate(lang, "invalid_json"))]
        errors = collect_errors(param.annotation, raw, lang)
        if errors:
            return errors
    out = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            out.append(
                FieldError(
                    field=str(item.get("key") or item.get("source") or "body"), message=translate(lang, "field_invalid")
                )
            )
    return out


def app_error_handler(request: Request[Any, Any, Any], exc: AppError) -> Response[Any]:
    return render_error(request, exc)


def validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return render_error(request, InvalidInput(errors=_validation_errors(request, exc)))


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    code = STATUS_CODES.get(exc.status_code, "bad_request" if exc.status_code < 500 else "internal_error")
    if exc.status_code == 403 and "csrf" in str(exc.detail).lower():
        code = "csrf_failed"
    return render_error(request, AppError(code, status=exc.status_code, headers=dict(exc.headers or {})))


def _is_connection_loss(exc: BaseException) -> bool:
    """A dropped or refused connection to the database or Redis: worth retrying in a moment.

    (asyncpg reports a pooled connection broken by a killed backend as an InternalClientError.)
    """
    import asyncpg
    import redis.exceptions

    seen: BaseException | None = exc
    for _ in range(5):  # drivers wrap their causes
        if seen is None:
            break
        if isinstance(
            seen,
            (
                ConnectionError,
                asyncpg.exceptions.ConnectionDoesNotExistError,
                asyncpg.exceptions.InterfaceError,
                asyncpg.exceptions.CannotConnectNowError,
                asyncpg.exceptions.AdminShutdownError,
                asyncpg.exceptions.InternalClientError,
                redis.exceptions.ConnectionError,
                redis.exceptions.TimeoutError,
            ),
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _is_connection_loss(exc):
        log.warning("backend connection lost on %s %s: %r", request.method, request.url.path, exc)
        return render_error(request, AppError("unavailable", status=503, headers={"Retry-After": "1"}))
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return render_error(request, AppError("internal_error", status=500))
