"""The browser session cookie and safe redirects, shared by every page that logs someone in or out."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.middleware.csrf import generate_csrf_token
from litestar.response import Redirect, Response

from app.accounts.auth import SESSION_COOKIE
from app.accounts.service import AccountService
from app.accounts.tables import User


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths: never redirect off-site after log-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def with_session(response: Response[Any], token: str, ttl: int, secure: bool) -> Response[Any]:
    response.set_cookie(SESSION_COOKIE, token, max_age=ttl, httponly=True, samesite="lax", secure=secure, path="/")
    return response


def without_session(response: Response[Any]) -> Response[Any]:
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def with_new_csrf_token(request: Request[Any, Any, Any], response: Response[Any]) -> Response[Any]:
    """A fresh CSRF cookie: a token planted or read before the log-in (CSRF fixation) is worth nothing after it."""
    config = request.app.csrf_config
    if config is None:
        return response
    response.set_cookie(
        config.cookie_name,
        generate_csrf_token(config.secret),
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    )
    return response


async def log_in(request: Request[Any, Any, Any], accounts: AccountService, user: User, target: str) -> Response[Any]:
    """A new browser session for ``user`` (with a new CSRF token) and a redirect to ``target``."""
    token, ttl = await accounts.issue_token(user, "session")
    return with_new_csrf_token(request, with_session(Redirect(target), token, ttl, request.url.scheme == "https"))
