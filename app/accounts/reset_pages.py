"""Forgotten password in the browser: ``/forgot`` asks for the address, the mailed ``/reset?token=…`` link
sets a new password, revokes every session and logs the person in."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response, Template

from app.accounts.cookies import log_in
from app.accounts.deps import provide_account_service, provide_resets
from app.accounts.reset import PasswordResets
from app.accounts.schemas import PasswordResetRequest
from app.accounts.service import AccountService
from app.core.errors import AppError, InvalidInput
from app.core.i18n import translate
from app.core.validation import collect_errors
from app.web.request import client_ip, language

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
NO_REFERRER = {"Referrer-Policy": "no-referrer"}  # the token in the address never leaves in a Referer


def _error_context(exc: AppError, lang: str) -> dict[str, Any]:
    errors = {e.field: e.message for e in exc.errors}
    return {"errors": errors, "error": None if errors else (exc.detail or translate(lang, exc.code, **exc.params))}


class ResetPagesController(Controller):
    include_in_schema = False
    dependencies = {
        "accounts": Provide(provide_account_service, sync_to_thread=False),
        "resets": Provide(provide_resets, sync_to_thread=False),
    }

    def _minutes(self, request: Request[Any, Any, Any]) -> int:
        return int(request.app.state.settings.password_reset_ttl_s // 60)

    @get("/forgot")
    async def forgot_page(self, request: Request[Any, Any, Any]) -> Template:
        return Template("accounts/forgot.html", context={"form": {}, "errors": {}, "minutes": self._minutes(request)})

    @post("/forgot")
    async def forgot(self, request: Request[Any, Any, Any], data: Form, resets: PasswordResets) -> Template:
        lang = language(request)
        form = {"email": data.get("email", "")}
        try:
            errors = collect_errors(PasswordResetRequest, form, lang)
            if errors:
                raise InvalidInput(errors=errors)
            await resets.request(form["email"], client_ip(request), lang)
        except AppError as exc:
            return Template(
                "accounts/forgot.html",
                status_code=exc.status,
                headers=exc.headers,
                context={"form": form, "minutes": self._minutes(request), **_error_context(exc, lang)},
            )
        return Template("accounts/forgot_sent.html", context={"minutes": self._minutes(request)})

    @get("/reset")
    async def reset_page(self, request: Request[Any, Any, Any], token: str = "") -> Template:
        return Template("accounts/reset.html", headers=NO_REFERRER, context={"token": token, "errors": {}})

    @post("/reset")
    async def reset(
        self, request: Request[Any, Any, Any], data: Form, accounts: AccountService, resets: PasswordResets
    ) -> Response[Any]:
        lang = language(request)
        token = data.get("token", "")
        try:
            user = await resets.confirm(token, data.get("new_password", ""), client_ip(request), lang)
        except AppError as exc:
            context = {"token": token, **_error_context(exc, lang), "invalid_link": exc.code == "invalid_token"}
            return Template(
                "accounts/reset.html", status_code=exc.status, headers={**NO_REFERRER, **exc.headers}, context=context
            )
        return await log_in(request, accounts, user, "/account?done=reset")
