"""Who is calling: a bearer token (API clients), the session cookie (browsers) or nobody.

Cookie-authenticated unsafe ``/api`` calls must echo the CSRF cookie in ``X-CSRFToken`` (pages get the
same protection from Litestar's CSRF middleware, which skips ``/api`` because bearer calls need none).
Cookie-authenticated streams (WebSockets, server-sent events) must come from the app's own origin: a browser
sends the victim's cookie with a WebSocket opened by any page, so without this a page elsewhere could read
their task events (cross-site WebSocket hijacking). Bearer and ``access_token`` clients are not affected.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from app.accounts.service import AccountService
from app.core.errors import Forbidden, NotAuthenticated

SESSION_COOKIE = "saekdam_session"
CSRF_COOKIE = "saekdam_csrf"
CSRF_HEADER = "x-csrftoken"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
DEFAULT_PORTS = {"http": 80, "https": 443}


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
                if is_stream(connection) and not same_origin(connection):
                    if connection.scope["type"] == "websocket":  # the handler closes with 4403 before any event
                        return AuthenticationResult(user=None, auth=Auth("cross_origin", None))
                    raise Forbidden("cross_origin")
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


def _origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, lower-case, without the scheme's default port; None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme.lower(), parts.scheme.lower())
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS[scheme] else "")


def own_origin(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The app's origin: from ``public_url``, or where the request was sent (its Host) when that is unset."""
    public_url = connection.app.state.settings.public_url
    if public_url:
        return _origin_of(public_url)
    host = connection.headers.get("host", "")
    return _origin_of(f"{connection.scope.get('scheme', 'http')}://{host}") if host else None


def same_origin(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """No ``Origin`` (not a browser, or a same-origin GET) or the app's own. ``null`` is never ours."""
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    theirs = _origin_of(origin)
    return theirs is not None and theirs == own_origin(connection)


def is_stream(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """A WebSocket, or a request for server-sent events (EventSource asks for ``text/event-stream``)."""
    if connection.scope["type"] == "websocket":
        return True
    return "text/event-stream" in connection.headers.get("accept", "")
