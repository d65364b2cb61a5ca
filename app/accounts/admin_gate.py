"""Piccolo Admin behind the app's own accounts.

- Its login form (``/admin/public/login/``) goes through ``AccountService.authenticate``: the same password
  check, the same failure limits and lockout (429), and only admins get an admin session.
- An admin logged in to the site enters ``/admin/`` without a second login: their site session is bridged
  into an admin session on the first admin request.
- Its password change goes through ``AccountService.change_password``, which revokes every token and session.
Piccolo's own CSRF double-submit check guards both forms, as it does the rest of the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

from piccolo_admin.translations.data import ENGLISH
from piccolo_admin.translations.models import Translation
from piccolo_api.csrf.middleware import CSRFMiddleware
from piccolo_api.session_auth.tables import SessionsBase
from starlette.requests import Request as StarletteRequest
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts.auth import SESSION_COOKIE
from app.accounts.service import AccountService
from app.accounts.tables import User
from app.core.errors import AppError, InvalidInput, RateLimited
from app.core.i18n import pick_language, translate

log = logging.getLogger("saekdam.admin")

ADMIN_COOKIE = "id"  # piccolo_api's session cookie
SESSION_EXPIRY = timedelta(hours=1)
MAX_SESSION_EXPIRY = timedelta(days=7)
# the login form asks for an email (our usernames are emails)
TRANSLATIONS = [
    Translation(
        language_name=ENGLISH.language_name,
        language_code=ENGLISH.language_code,
        translations={**ENGLISH.translations, "Username": "Email"},
    )
]


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                continue
    return {k: m.value for k, m in jar.items()}


async def end_admin_session(cookies: Mapping[str, str]) -> None:
    """Site log-out ends the admin session of the same browser too."""
    token = cookies.get(ADMIN_COOKIE)
    if token:
        await SessionsBase.remove_session(token)


async def _new_admin_session(user_id: int) -> str:
    now = datetime.now()
    session = await SessionsBase.create_session(
        user_id=user_id, expiry_date=now + SESSION_EXPIRY, max_expiry_date=now + MAX_SESSION_EXPIRY
    )
    return str(session.token)


class AdminGate:
    def __init__(self, admin_app: ASGIApp, services: Any, production: bool) -> None:
        self.admin_app = admin_app
        self.services = services  # app.wiring.Services: ``accounts`` exists once the app started
        self.production = production
        self._login = CSRFMiddleware(self._login_endpoint, allow_form_param=True)
        self._change_password = CSRFMiddleware(self._change_password_endpoint, allow_form_param=True)

    @property
    def accounts(self) -> AccountService:
        return self.services.accounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            if scope["path"] == "/public/login/":
                return await self._login(scope, receive, send)
            if scope["path"] == "/api/change-password/":
                return await self._change_password(scope, receive, send)
        if scope["type"] == "http":
            scope, send = await self._bridge(scope, send)
        await self.admin_app(scope, receive, send)

    # ------------------------------------------------------------------ one login
    async def _bridge(self, scope: Scope, send: Send) -> tuple[Scope, Send]:
        """A site session of an admin without a live admin session: make one for this and later requests."""
        cookies = _cookies(scope)
        site = cookies.get(SESSION_COOKIE)
        if not site:
            return scope, send
        user = await self.accounts.resolve_token(site, "session")
        if user is None or not user.admin:
            return scope, send
        current = cookies.get(ADMIN_COOKIE)
        if current and await SessionsBase.get_user_id(current) == user.id:
            return scope, send
        token = await _new_admin_session(user.id)
        cookies[ADMIN_COOKIE] = token
        header = "; ".join(f"{k}={v}" for k, v in cookies.items()).encode("latin-1")
        headers = [(k, v) for k, v in scope["headers"] if k != b"cookie"] + [(b"cookie", header)]
        set_cookie = self._cookie_header(token)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", set_cookie)]
            await send(message)

        return {**scope, "headers": headers}, send_with_cookie

    def _cookie_header(self, token: str) -> bytes:
        response = Response()
        self._set_cookie(response, token)
        return next(v for k, v in response.raw_headers if k == b"set-cookie")

    def _set_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(
            ADMIN_COOKIE,
            token,
            httponly=True,
            secure=self.production,
            samesite="lax",
            max_age=int(MAX_SESSION_EXPIRY.total_seconds()),
            path="/",
        )

    @staticmethod
    async def _body(request: StarletteRequest) -> dict[str, Any]:
        body: Any = request.scope.get("form")  # the CSRF middleware may have read a form already
        if not body:
            try:
                body = await request.json()
            except ValueError:
                body = await request.form()
        return dict(body) if isinstance(body, Mapping) else {}

    @staticmethod
    def _lang(request: StarletteRequest) -> str:
        return pick_language(request.cookies.get("lang"), request.headers.get("accept-language"), "ko")

    # ------------------------------------------------------------------ the admin's login form
    async def _login_endpoint(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = StarletteRequest(scope, receive)
        lang = self._lang(request)
        body = await self._body(request)
        email, password = str(body.get("username") or ""), str(body.get("password") or "")
        client = request.client.host if request.client else "unknown"
        try:
            if not email or not password:
                raise InvalidInput("invalid_credentials", status=401)
            user = await self.accounts.authenticate(email, password, client)
        except RateLimited as exc:
            detail = translate(lang, exc.code, **exc.params)
            return await JSONResponse({"detail": detail}, status_code=429, headers=exc.headers)(scope, receive, send)
        except AppError:
            return await JSONResponse({"detail": translate(lang, "invalid_credentials")}, status_code=401)(
                scope, receive, send
            )
        if not user.admin:
            log.info("admin login refused for non-admin %s", user.public_id)
            return await JSONResponse({"detail": translate(lang, "admins_only")}, status_code=403)(scope, receive, send)
        response = JSONResponse({"message": "logged in"})
        self._set_cookie(response, await _new_admin_session(user.id))
        await response(scope, receive, send)

    # ------------------------------------------------------------------ the admin's password change
    async def _change_password_endpoint(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = StarletteRequest(scope, receive)
        lang = self._lang(request)
        token = request.cookies.get(ADMIN_COOKIE, "")
        user_id = await SessionsBase.get_user_id(token) if token else None
        user = await User.objects().where(User.id == user_id).first() if user_id is not None else None
        if user is None or not user.admin:
            return await JSONResponse({"detail": translate(lang, "not_authenticated")}, status_code=401)(
                scope, receive, send
            )
        body = await self._body(request)
        new = str(body.get("new_password") or "")
        if new != str(body.get("confirm_new_password") or ""):
            return await JSONResponse({"detail": translate(lang, "passwords_differ")}, status_code=422)(
                scope, receive, send
            )
        client = request.client.host if request.client else "unknown"
        try:
            await self.accounts.change_password(user, str(body.get("current_password") or ""), new, None, client, lang)
        except AppError as exc:
            detail = exc.errors[0].message if exc.errors else translate(lang, exc.code, **exc.params)
            status = 429 if exc.status == 429 else 422
            return await JSONResponse({"detail": detail}, status_code=status, headers=exc.headers)(scope, receive, send)
        response = RedirectResponse(url="./../../public/login/", status_code=303)
        response.delete_cookie(ADMIN_COOKIE, path="/")
        await response(scope, receive, send)
