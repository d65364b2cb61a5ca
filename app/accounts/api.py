"""JSON API for accounts (api.md: Accounts, and Accounts v1.1)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import Provide

from app.accounts.auth import Auth
from app.accounts.deps import provide_account_service, provide_oidc, provide_resets
from app.accounts.guards import requires_user
from app.accounts.oidc import OidcService
from app.accounts.reset import PasswordResets
from app.accounts.schemas import (
    IdTokenIn,
    PasswordChange,
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    ProfileUpdate,
    SignupIn,
    TokenIn,
    TokenOut,
    UserOut,
)
from app.accounts.service import AccountService, to_user_out
from app.accounts.tables import User
from app.core.i18n import translate
from app.privacy.api import provide_privacy
from app.privacy.schemas import AccountDelete
from app.privacy.service import PrivacyService
from app.web.request import client_ip, language


class AccountApiController(Controller):
    path = "/api"
    tags = ["accounts"]
    dependencies = {
        "accounts": Provide(provide_account_service, sync_to_thread=False),
        "resets": Provide(provide_resets, sync_to_thread=False),
        "oidc": Provide(provide_oidc, sync_to_thread=False),
    }

    @post("/auth/signup", operation_id="SignUp", status_code=201, summary="Create an account")
    async def signup(self, data: SignupIn, request: Request[Any, Any, Any], accounts: AccountService) -> UserOut:
        return to_user_out(await accounts.signup(data, language(request), client_ip(request)))

    @post("/auth/token", operation_id="CreateToken", status_code=200, summary="Log in: get a bearer token")
    async def token(self, data: TokenIn, request: Request[Any, Any, Any], accounts: AccountService) -> TokenOut:
        user = await accounts.authenticate(data.email, data.password, client_ip(request))
        token, ttl = await accounts.issue_token(user, "bearer")
        return TokenOut(access_token=token, expires_in=ttl)

    @post("/auth/logout", operation_id="LogOut", status_code=204, guards=[requires_user])
    async def logout(self, request: Request[User, Auth, Any], accounts: AccountService) -> None:
        if request.auth.token:
            await accounts.revoke_token(request.auth.token)

    @post(
        "/auth/logout-all",
        operation_id="LogOutEverywhere",
        status_code=204,
        guards=[requires_user],
        summary="Revoke every token and session of the caller, this one included",
    )
    async def logout_all(self, request: Request[User, Auth, Any], accounts: AccountService) -> None:
        await accounts.revoke_user_tokens(request.user.id)

    @get("/me", operation_id="GetMe", guards=[requires_user])
    async def me(self, request: Request[User, Auth, Any]) -> UserOut:
        return to_user_out(request.user)

    @delete(
        "/me",
        operation_id="DeleteMe",
        status_code=204,
        guards=[requires_user],
        dependencies={"privacy": Provide(provide_privacy, sync_to_thread=False)},
        summary="Delete the account; its posts are deleted or kept anonymized",
    )
    async def delete_me(self, data: AccountDelete, request: Request[User, Auth, Any], privacy: PrivacyService) -> None:
        await privacy.delete_account(
            request.user, data.password, data.posts, request.auth.token, client_ip(request), language(request)
        )

    @patch("/me", operation_id="UpdateMe", guards=[requires_user], summary="Change the nickname")
    async def update_me(
        self, data: ProfileUpdate, request: Request[User, Auth, Any], accounts: AccountService
    ) -> UserOut:
        return to_user_out(await accounts.update_profile(request.user, data.nickname, language(request)))

    @post(
        "/me/password",
        operation_id="ChangePassword",
        status_code=204,
        guards=[requires_user],
        summary="Change the password; every other token and session is revoked",
    )
    async def change_password(
        self, data: PasswordChange, request: Request[User, Auth, Any], accounts: AccountService
    ) -> None:
        await accounts.change_password(
            request.user,
            data.current_password,
            data.new_password,
            request.auth.token,
            client_ip(request),
            language(request),
        )

    @post(
        "/auth/password-reset",
        operation_id="RequestPasswordReset",
        status_code=202,
        summary="Mail a one-time reset link (the same answer whether or not the address has an account)",
    )
    async def password_reset(
        self, data: PasswordResetRequest, request: Request[Any, Any, Any], resets: PasswordResets
    ) -> PasswordResetAccepted:
        lang = language(request)
        await resets.request(data.email, client_ip(request), lang)
        return PasswordResetAccepted(detail=translate(lang, "reset_sent"))

    @post(
        "/auth/password-reset/confirm",
        operation_id="ConfirmPasswordReset",
        status_code=204,
        summary="Set a new password with a mailed link; every token and session is revoked",
    )
    async def password_reset_confirm(
        self, data: PasswordResetConfirm, request: Request[Any, Any, Any], resets: PasswordResets
    ) -> None:
        await resets.confirm(data.token, data.new_password, client_ip(request), language(request))

    @post(
        "/auth/oidc/{provider:str}/token",
        operation_id="CreateTokenWithIdToken",
        status_code=200,
        summary="Log in with a provider's id_token (native apps: Kakao, …)",
    )
    async def oidc_token(
        self,
        provider: str,
        data: IdTokenIn,
        request: Request[Any, Any, Any],
        accounts: AccountService,
        oidc: OidcService,
    ) -> TokenOut:
        user = await oidc.sign_in_native(provider, data.id_token, data.nonce, client_ip(request), language(request))
        token, ttl = await accounts.issue_token(user, "bearer")
        return TokenOut(access_token=token, expires_in=ttl)
