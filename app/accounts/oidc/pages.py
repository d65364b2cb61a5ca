"""Sign in with a provider in the browser: authorization code with PKCE, state and nonce kept in a sealed
cookie for the round trip; a verified email that already has an account is linked only after the person
confirms with that account's password. Logged-in people connect a provider from the account page."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Response, Template

from app.accounts.auth import Auth
from app.accounts.cookies import log_in, safe_next
from app.accounts.oidc.service import OidcService, PendingLink
from app.accounts.oidc.state import seal, unseal
from app.accounts.service import AccountService
from app.accounts.tables import User
from app.core.errors import AppError, InvalidInput, NotFound
from app.core.i18n import translate
from app.web.request import client_ip, language

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
FLOW_COOKIE, LINK_COOKIE = "saekdam_oidc", "saekdam_oidc_link"
FLOW_TTL_S, LINK_TTL_S = 600, 600


def _services(request: Request[Any, Any, Any]) -> tuple[OidcService, AccountService, str]:
    services = request.app.state.services
    return services.oidc, services.accounts, request.app.state.settings.secret_key


def _set(response: Response[Any], request: Request[Any, Any, Any], name: str, value: str, ttl: int) -> Response[Any]:
    response.set_cookie(
        name, value, max_age=ttl, httponly=True, samesite="lax", path="/auth/oidc", secure=request.url.scheme == "https"
    )
    return response


def _failed(request: Request[Any, Any, Any], code: str, status: int = 400) -> Template:
    lang = language(request)
    return Template(
        "error.html", status_code=status, context={"status": status, "code": code, "detail": translate(lang, code)}
    )


class OidcPagesController(Controller):
    include_in_schema = False
    path = "/auth/oidc"

    @get("/{provider:str}/login")
    async def start(
        self, provider: str, request: Request[User | None, Auth, Any], next: str | None = None, intent: str = "login"
    ) -> Response[Any]:
        oidc, _, secret = _services(request)
        client = oidc.client(provider)  # 404 for a provider that is not configured
        if intent == "link" and request.user is None:
            return Redirect("/login?next=/account")
        state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        try:
            url = await client.authorization_url(oidc.redirect_uri(provider), state, nonce, verifier)
        except AppError as exc:
            return _failed(request, exc.code, exc.status)
        flow = {
            "p": provider,
            "s": state,
            "n": nonce,
            "v": verifier,
            "next": safe_next(next),
            "link": request.user.id if intent == "link" and request.user is not None else None,
        }
        return _set(Redirect(url), request, FLOW_COOKIE, seal(secret, "flow", flow, FLOW_TTL_S), FLOW_TTL_S)

    @get("/{provider:str}/callback")
    async def callback(
        self,
        provider: str,
        request: Request[User | None, Auth, Any],
        code: str | None = None,
        oauth_state: str | None = Parameter(query="state", default=None),
        error: str | None = None,
    ) -> Response[Any]:
        oidc, accounts, secret = _services(request)
        client = oidc.client(provider)
        flow = unseal(secret, "flow", request.cookies.get(FLOW_COOKIE))
        if (
            flow is None
            or flow.get("p") != provider
            or not oauth_state
            or not hmac.compare_digest(str(flow["s"]), oauth_state)
        ):
            return _failed(request, "oidc_failed")
        if error is not None or not code:  # the person said no at the provider, or it refused
            response: Response[Any] = Redirect("/login?done=oidc_canceled")
        else:
            try:
                id_token = await client.exchange(code, str(flow["v"]), oidc.redirect_uri(provider))
                claims = await client.validate(id_token, nonce=str(flow["n"]))
                response = await self._finish(request, oidc, accounts, secret, provider, claims, flow)
            except AppError as exc:
                response = _failed(request, exc.code, exc.status)
        response.delete_cookie(FLOW_COOKIE, path="/auth/oidc")
        return response

    async def _finish(
        self,
        request: Request[User | None, Auth, Any],
        oidc: OidcService,
        accounts: AccountService,
        secret: str,
        provider: str,
        claims: dict[str, Any],
        flow: dict[str, Any],
    ) -> Response[Any]:
        if flow.get("link") is not None:  # connecting from the account page: only for the same person, logged in
            if request.user is None or request.user.id != flow["link"]:
                raise InvalidInput("oidc_failed")
            await oidc.link(request.user.id, provider, str(claims["sub"]), str(claims.get("email") or ""))
            return Redirect(f"/account?done=linked&provider={provider}")
        found = await oidc.resolve(provider, claims)
        if isinstance(found, PendingLink):
            pending = {
                "p": found.provider,
                "sub": found.subject,
                "email": found.email,
                "uid": found.user_id,
                "next": flow.get("next", "/"),
            }
            return _set(
                Redirect("/auth/oidc/link"), request, LINK_COOKIE, seal(secret, "link", pending, LINK_TTL_S), LINK_TTL_S
            )
        return await log_in(request, accounts, found, safe_next(flow.get("next")))

    def _pending(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        _, _, secret = _services(request)
        pending = unseal(secret, "link", request.cookies.get(LINK_COOKIE))
        if pending is None:
            raise NotFound()
        return pending

    def _link_page(
        self,
        request: Request[Any, Any, Any],
        pending: dict[str, Any],
        status: int = 200,
        errors: dict[str, str] | None = None,
        error: str | None = None,
    ) -> Template:
        oidc, _, _ = _services(request)
        label = dict(oidc.labels(language(request))).get(pending["p"], pending["p"])
        return Template(
            "accounts/oidc_link.html",
            status_code=status,
            context={"email": pending["email"], "provider": label, "errors": errors or {}, "error": error, "form": {}},
        )

    @get("/link")
    async def link_page(self, request: Request[Any, Any, Any]) -> Template:
        return self._link_page(request, self._pending(request))

    @post("/link")
    async def link(self, request: Request[Any, Any, Any], data: Form) -> Response[Any]:
        """The person proves the existing account is theirs with its password; then both are one account."""
        pending = self._pending(request)
        oidc, accounts, _ = _services(request)
        lang = language(request)
        try:
            user = await accounts.authenticate(pending["email"], data.get("password", ""), client_ip(request))
            if user.id != pending["uid"]:
                raise InvalidInput("oidc_failed")
            await oidc.link(user.id, pending["p"], pending["sub"], pending["email"])
        except AppError as exc:
            if exc.code == "invalid_credentials":
                return self._link_page(request, pending, 400, errors={"password": translate(lang, "wrong_password")})
            return self._link_page(request, pending, exc.status, error=translate(lang, exc.code, **exc.params))
        response = await log_in(request, accounts, user, safe_next(pending.get("next")))
        response.delete_cookie(LINK_COOKIE, path="/auth/oidc")
        return response
