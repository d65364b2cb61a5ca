"""Who is calling: a bearer token (API clients), the session cookie (browsers) or nobody.

Cookie-authenticated unsafe ``/api`` calls must echo the CSRF cookie in ``X-CSRFToken`` (pages get the
same protection from Litestar's CSRF middleware, which skips ``/api`` because bearer calls need none).
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from app.accounts.service import AccountService
from app.core.errors import Forbidden, NotAuthenticated

SESSION_COOKIE = "saekdam_session"
CSRF_COOKIE = "saekdam_csrf"
CSRF_HEADER = "x-csrftoken"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class Auth:
    """What ``request.auth`` holds: how the caller authenticated and the raw token (for logout)."""

    __slots__ = ("kind", "token")

    def __init__(self, kind: str | None, token: str | None) -> None:
        self.kind = kind
        self.token = token


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if connection.scope["type"] == "websocket":  # browsers cannot set headers on a WebSocket
        return connection.query_params.get("access_token") or None
    return None


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        accounts: AccountService = connection.app.state.accounts
        token = _bearer(connection)
        if token is not None:
            user = await accounts.resolve_token(token, "bearer")
            if user is None:
                if connection.scope["type"] == "websocket":  # the handler closes with 4401 before any event
                    return AuthenticationResult(user=None, auth=Auth("invalid", None))
                raise NotAuthenticated("invalid_token")
            return AuthenticationResult(user=user, auth=Auth("bearer", token))
        session = connection.cookies.get(SESSION_COOKIE)
        if session:
            user = await accounts.resolve_token(session, "session")
            if user is not None:
                self._check_api_csrf(connection)
                return AuthenticationResult(user=user, auth=Auth("session", session))
        return AuthenticationResult(user=None, auth=Auth(None, None))

    @staticmethod
    def _check_api_csrf(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        if connection.scope["type"] != "http" or connection.scope.get("method") in SAFE_METHODS:
            return
        if not connection.scope["path"].startswith("/api/"):
            return
        cookie = connection.cookies.get(CSRF_COOKIE, "")
        header = connection.headers.get(CSRF_HEADER, "")
        if not cookie or not hmac.compare_digest(cookie, header):
            raise Forbidden("csrf_failed")
