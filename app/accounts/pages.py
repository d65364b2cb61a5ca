"""Browser pages for accounts: sign-up, log-in and log-out with a server-side session cookie."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from app.accounts.auth import SESSION_COOKIE, Auth
from app.accounts.deps import provide_account_service
from app.accounts.schemas import SignupIn
from app.accounts.service import AccountService
from app.accounts.tables import User
from app.core.errors import AppError, InvalidInput
from app.core.i18n import translate
from app.core.validation import collect_errors
from app.web.request import client_ip, language

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never redirect off-site after log-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _with_session(response: Response[Any], token: str, ttl: int, secure: bool) -> Response[Any]:
    response.set_cookie(SESSION_COOKIE, token, max_age=ttl, httponly=True, samesite="lax", secure=secure, path="/")
    return response


class AccountPagesController(Controller):
    include_in_schema = False
    dependencies = {"accounts": Provide(provide_account_service, sync_to_thread=False)}

    @get("/login")
    async def login_page(self, next: str | None = None) -> Template:
        return Template("accounts/login.html", context={"next": _safe_next(next), "form": {}, "errors": {}})

    @post("/login")
    async def login(self, request: Request[Any, Any, Any], data: Form, accounts: AccountService) -> Response[Any]:
        target = _safe_next(data.get("next"))
        try:
            user = await accounts.authenticate(data.get("email", ""), data.get("password", ""), client_ip(request))
        except AppError as exc:
            context = {"next": target, "form": {"email": data.get("email", "")}, "errors": {},
                       "error": exc.detail or translate(language(request), exc.code, **exc.params)}
            return Template("accounts/login.html", context=context, status_code=exc.status, headers=exc.headers)
        token, ttl = await accounts.issue_token(user, "session")
        return _with_session(Redirect(target), token, ttl, request.url.scheme == "https")

    @get("/signup")
    async def signup_page(self) -> Template:
        return Template("accounts/signup.html", context={"form": {}, "errors": {}})

    @post("/signup")
    async def signup(self, request: Request[Any, Any, Any], data: Form, accounts: AccountService) -> Response[Any]:
        lang = language(request)
        form = {k: data.get(k, "") for k in ("email", "password", "nickname")}
        try:
            errors = collect_errors(SignupIn, form, lang)
            if errors:
                raise InvalidInput(errors=errors)
            user = await accounts.signup(msgspec.convert(form, SignupIn), lang)
        except AppError as exc:
            field_errors = {e.field: e.message for e in exc.errors}
            message = None if field_errors else translate(lang, exc.code, **exc.params)
            form.pop("password")
            return Template("accounts/signup.html", status_code=exc.status,
                            context={"form": form, "errors": field_errors, "error": message})
        token, ttl = await accounts.issue_token(user, "session")
        return _with_session(Redirect("/create"), token, ttl, request.url.scheme == "https")

    @post("/logout")
    async def logout(self, request: Request[User | None, Auth, Any], accounts: AccountService) -> Response[Any]:
        if request.auth and request.auth.kind == "session" and request.auth.token:
            await accounts.revoke_token(request.auth.token)
        response: Response[Any] = Redirect("/")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
