"""Browser pages for accounts: sign-up (accepting the terms), log-in (password or a provider) and log-out
with a server-side session cookie."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from app.accounts.admin_gate import end_admin_session
from app.accounts.auth import Auth
from app.accounts.cookies import log_in, safe_next, without_session
from app.accounts.deps import provide_account_service
from app.accounts.schemas import SignupIn
from app.accounts.service import AccountService
from app.accounts.tables import User
from app.core.errors import AppError, FieldError, InvalidInput
from app.core.i18n import translate
from app.core.validation import collect_errors
from app.web.request import client_ip, language

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

# ?done=… notices the log-in page shows after a redirect (keys of app.core.i18n)
LOGIN_NOTICES = {"logged_out_everywhere": "logged_out_everywhere", "oidc_canceled": "oidc_canceled"}


def providers(request: Request[Any, Any, Any]) -> list[tuple[str, str]]:
    """(name, button text) of the sign-in providers the settings configure."""
    return request.app.state.services.oidc.labels(language(request))


def _login_context(request: Request[Any, Any, Any], target: str, **extra: Any) -> dict[str, Any]:
    return {"next": target, "form": {}, "errors": {}, "providers": providers(request), **extra}


class AccountPagesController(Controller):
    include_in_schema = False
    dependencies = {"accounts": Provide(provide_account_service, sync_to_thread=False)}

    @get("/login")
    async def login_page(
        self, request: Request[Any, Any, Any], next: str | None = None, done: str | None = None
    ) -> Template:
        notice = LOGIN_NOTICES.get(done or "")
        return Template(
            "accounts/login.html",
            context=_login_context(
                request, safe_next(next), notice=translate(language(request), notice) if notice else None
            ),
        )

    @post("/login")
    async def login(self, request: Request[Any, Any, Any], data: Form, accounts: AccountService) -> Response[Any]:
        target = safe_next(data.get("next"))
        try:
            user = await accounts.authenticate(data.get("email", ""), data.get("password", ""), client_ip(request))
        except AppError as exc:
            context = _login_context(
                request,
                target,
                form={"email": data.get("email", "")},
                error=exc.detail or translate(language(request), exc.code, **exc.params),
            )
            return Template("accounts/login.html", context=context, status_code=exc.status, headers=exc.headers)
        return await log_in(request, accounts, user, target)

    @get("/signup")
    async def signup_page(self, request: Request[Any, Any, Any]) -> Template:
        return Template("accounts/signup.html", context={"form": {}, "errors": {}, "providers": providers(request)})

    @post("/signup")
    async def signup(self, request: Request[Any, Any, Any], data: Form, accounts: AccountService) -> Response[Any]:
        lang = language(request)
        form = {k: data.get(k, "") for k in ("email", "password", "nickname")}
        try:
            errors = collect_errors(SignupIn, form, lang)
            if data.get("terms") != "accepted":
                errors.append(FieldError(field="terms", message=translate(lang, "terms_required")))
            if errors:
                raise InvalidInput(errors=errors)
            user = await accounts.signup(msgspec.convert(form, SignupIn), lang, client_ip(request))
        except AppError as exc:
            field_errors = {e.field: e.message for e in exc.errors}
            message = None if field_errors else translate(lang, exc.code, **exc.params)
            form.pop("password")
            return Template(
                "accounts/signup.html",
                status_code=exc.status,
                headers=exc.headers,
                context={
                    "form": form,
                    "errors": field_errors,
                    "error": message,
                    "providers": providers(request),
                    "terms_checked": data.get("terms") == "accepted",
                },
            )
        return await log_in(request, accounts, user, "/create")

    @post("/logout")
    async def logout(self, request: Request[User | None, Auth, Any], accounts: AccountService) -> Response[Any]:
        if request.auth and request.auth.kind == "session" and request.auth.token:
            await accounts.revoke_token(request.auth.token)
        await end_admin_session(request.cookies)
        return without_session(Redirect("/"))
