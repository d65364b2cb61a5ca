"""JSON API for accounts (api.md: Accounts)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide

from app.accounts.auth import Auth
from app.accounts.deps import provide_account_service
from app.accounts.guards import requires_user
from app.accounts.schemas import SignupIn, TokenIn, TokenOut, UserOut
from app.accounts.service import AccountService, to_user_out
from app.accounts.tables import User
from app.web.request import client_ip, language


class AccountApiController(Controller):
    path = "/api"
    tags = ["accounts"]
    dependencies = {"accounts": Provide(provide_account_service, sync_to_thread=False)}

    @post("/auth/signup", operation_id="SignUp", status_code=201, summary="Create an account")
    async def signup(self, data: SignupIn, request: Request[Any, Any, Any], accounts: AccountService) -> UserOut:
        return to_user_out(await accounts.signup(data, language(request)))

    @post("/auth/token", operation_id="CreateToken", status_code=200, summary="Log in: get a bearer token")
    async def token(self, data: TokenIn, request: Request[Any, Any, Any], accounts: AccountService) -> TokenOut:
        user = await accounts.authenticate(data.email, data.password, client_ip(request))
        token, ttl = await accounts.issue_token(user, "bearer")
        return TokenOut(access_token=token, expires_in=ttl)

    @post("/auth/logout", operation_id="LogOut", status_code=204, guards=[requires_user])
    async def logout(self, request: Request[User, Auth, Any], accounts: AccountService) -> None:
        if request.auth.token:
            await accounts.revoke_token(request.auth.token)

    @get("/me", operation_id="GetMe", guards=[requires_user])
    async def me(self, request: Request[User, Auth, Any]) -> UserOut:
        return to_user_out(request.user)
