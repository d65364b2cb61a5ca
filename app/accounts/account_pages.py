"""The account page (``/account``): nickname, password, log out everywhere, connected sign-ins, data export
and account deletion. Every form posts with the CSRF token and answers with a redirect and a notice."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from app.accounts.admin_gate import end_admin_session
from app.accounts.auth import Auth
from app.accounts.cookies import without_session
from app.accounts.deps import provide_account_service
from app.accounts.guards import requires_user
from app.accounts.service import AccountService, has_real_email
from app.accounts.tables import User
from app.core.errors import AppError, FieldError, InvalidInput
from app.core.i18n import translate
from app.web.request import client_ip, language

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
NOTICES = {
    "nickname": "account_done_nickname",
    "password": "account_done_password",
    "reset": "account_done_reset",
    "linked": "account_done_linked",
    "unlinked": "account_done_unlinked",
}
SECTIONS = ("profile", "password", "delete")


class AccountSettingsPagesController(Controller):
    include_in_schema = False
    guards = [requires_user]
    dependencies = {"accounts": Provide(provide_account_service, sync_to_thread=False)}

    async def _page(
        self,
        request: Request[User, Auth, Any],
        *,
        status: int = 200,
        section: str | None = None,
        error: AppError | None = None,
        notice: str | None = None,
        form: dict[str, str] | None = None,
    ) -> Template:
        lang = language(request)
        services = request.app.state.services
        user = request.user
        linked = {i.provider: i for i in await services.oidc.identities(user.id)}
        labels = dict(services.oidc.labels(lang))
        provider = request.query_params.get("provider", "")
        errors = {e.field: e.message for e in error.errors} if error else {}
        message = translate(lang, error.code, **error.params) if error and not errors else None
        return Template(
            "accounts/account.html",
            status_code=status,
            headers=error.headers if error else None,
            context={
                "user": user,
                "email": user.email if has_real_email(user) else None,
                "providers": [(name, label, linked.get(name)) for name, label in labels.items()],
                "notice": translate(lang, notice, provider=labels.get(provider, provider)) if notice else None,
                "section": section,
                "errors": errors,
                "error": message,
                "form": form or {},
                "recent_login_minutes": request.app.state.settings.recent_login_s // 60,
            },
        )

    @get("/account")
    async def account(self, request: Request[User, Auth, Any], done: str | None = None) -> Template:
        return await self._page(request, notice=NOTICES.get(done or ""))

    @get("/settings")
    async def settings_alias(self) -> Redirect:
        return Redirect("/account")

    @post("/account/nickname")
    async def nickname(self, request: Request[User, Auth, Any], data: Form, accounts: AccountService) -> Response[Any]:
        try:
            await accounts.update_profile(request.user, data.get("nickname", ""), language(request))
        except AppError as exc:
            return await self._page(request, status=exc.status, section="profile", error=exc, form=data)
        return Redirect("/account?done=nickname")

    @post("/account/password")
    async def password(self, request: Request[User, Auth, Any], data: Form, accounts: AccountService) -> Response[Any]:
        try:
            await accounts.change_password(
                request.user,
                data.get("current_password") or None,
                data.get("new_password", ""),
                request.auth.token,
                client_ip(request),
                language(request),
            )
        except AppError as exc:
            return await self._page(request, status=exc.status, section="password", error=exc)
        return Redirect("/account?done=password")

    @post("/account/logout-all")
    async def logout_all(self, request: Request[User, Auth, Any], accounts: AccountService) -> Response[Any]:
        await accounts.revoke_user_tokens(request.user.id)
        await end_admin_session(request.cookies)
        return without_session(Redirect("/login?done=logged_out_everywhere"))

    @post("/account/providers/{provider:str}/unlink")
    async def unlink(self, provider: str, request: Request[User, Auth, Any]) -> Response[Any]:
        try:
            await request.app.state.services.oidc.unlink(request.user, provider)
        except AppError as exc:
            return await self._page(request, status=exc.status, error=exc)
        return Redirect(f"/account?done=unlinked&provider={provider}")

    @post("/account/delete")
    async def delete(self, request: Request[User, Auth, Any], data: Form) -> Response[Any]:
        lang = language(request)
        posts = data.get("posts", "")
        try:
            if posts not in ("delete", "anonymize") or data.get("confirm") != "yes":
                field = "posts" if posts not in ("delete", "anonymize") else "confirm"
                raise InvalidInput(
                    errors=[FieldError(field=field, message=translate(lang, "account_delete_confirm_required"))]
                )
            await request.app.state.services.privacy.delete_account(
                request.user, data.get("password") or None, posts, request.auth.token, client_ip(request), lang
            )
        except AppError as exc:
            return await self._page(request, status=exc.status, section="delete", error=exc, form={"posts": posts})
        await end_admin_session(request.cookies)
        request.scope["user"] = None  # the page below is for a visitor now
        return without_session(Template("accounts/deleted.html"))
