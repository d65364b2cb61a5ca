"""Who signs in with a provider: the account linked to the provider's subject; else, for a verified email
that already has an account, a link the person confirms with that account's password; else a new account.

Native apps (``POST /api/auth/oidc/{provider}/token``) cannot confirm a link: they get 409 and are told to
connect the provider from the account page first.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import httpx

from app.accounts.oidc.provider import OidcClient
from app.accounts.schemas import TERMS_VERSION
from app.accounts.service import EMAIL_RE, NO_EMAIL_DOMAIN, AccountService, normalize_email
from app.accounts.tables import OidcIdentity, User
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.settings import Settings

log = logging.getLogger("saekdam.oidc")
NICKNAME_CLAIMS = ("nickname", "preferred_username", "name", "given_name")


@dataclass(frozen=True, slots=True)
class PendingLink:
    """A verified email of an existing account: linking waits for that account's password."""

    provider: str
    subject: str
    email: str
    user_id: int


def nickname_from(claims: dict[str, Any], provider: str) -> str:
    for claim in NICKNAME_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str) and len(value.strip()) >= 2:
            return value.strip()[:20]
    return f"{provider}{secrets.randbelow(10_000):04d}"[:20]


def verified_email(claims: dict[str, Any]) -> str | None:
    """The claimed email when the provider says it verified it (``email_verified: true``), else None."""
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        return None
    email = normalize_email(email)
    return email if EMAIL_RE.match(email) and len(email) <= 100 and not email.endswith(NO_EMAIL_DOMAIN) else None


class OidcService:
    def __init__(self, settings: Settings, accounts: AccountService) -> None:
        self.settings = settings
        self.accounts = accounts
        self.http = httpx.AsyncClient(timeout=10, follow_redirects=False)
        self.clients = {p.name: OidcClient(p, self.http) for p in settings.oidc_provider_list}

    def client(self, provider: str) -> OidcClient:
        found = self.clients.get(provider)
        if found is None:
            raise NotFound()
        return found

    def redirect_uri(self, provider: str) -> str:
        return f"{self.settings.base_url}/auth/oidc/{provider}/callback"

    def labels(self, lang: str) -> list[tuple[str, str]]:
        """(name, button text) of every provider, in the settings' order."""
        out = []
        for name, client in self.clients.items():
            parts = (client.config.label or name).split("|", 1)
            out.append((name, parts[1] if lang == "en" and len(parts) == 2 else parts[0]))
        return out

    async def close(self) -> None:
        await self.http.aclose()

    # ------------------------------------------------------------------ identities
    async def identities(self, user_id: int) -> list[OidcIdentity]:
        return await OidcIdentity.objects().where(OidcIdentity.user == user_id).order_by(OidcIdentity.created_at)

    async def _linked_user(self, provider: str, subject: str) -> User | None:
        row = (
            await OidcIdentity.select(OidcIdentity.user)
            .where((OidcIdentity.provider == provider) & (OidcIdentity.subject == subject))
            .first()
        )
        return await User.objects().where(User.id == row["user"]).first() if row else None

    async def link(self, user_id: int, provider: str, subject: str, email: str = "") -> None:
        """Connect the provider's subject to the account; 409 ``identity_in_use`` when another has it."""
        owner = await self._linked_user(provider, subject)
        if owner is not None:
            if owner.id != user_id:
                raise Conflict("identity_in_use")
            return
        try:
            await OidcIdentity.insert(
                OidcIdentity(
                    provider=provider, subject=subject, user=user_id, email=email, created_at=datetime.now(UTC)
                )
            )
        except Exception:  # the unique (provider, subject) index: linked meanwhile
            owner = await self._linked_user(provider, subject)
            if owner is None or owner.id != user_id:
                raise Conflict("identity_in_use") from None

    async def unlink(self, user: User, provider: str) -> None:
        """Disconnect a provider; refused for the only way into an account without a password."""
        linked = await self.identities(user.id)
        if not any(i.provider == provider for i in linked):
            raise NotFound()
        if not user.has_password and len(linked) == 1:
            raise Conflict("last_sign_in_method")
        await OidcIdentity.delete().where((OidcIdentity.user == user.id) & (OidcIdentity.provider == provider))

    async def resolve(self, provider: str, claims: dict[str, Any]) -> User | PendingLink:
        """The account for these verified claims (made now when there is none), or a link to confirm."""
        subject = str(claims["sub"])
        user = await self._linked_user(provider, subject)
        if user is not None:
            if not user.active:
                raise Forbidden("account_disabled")
            return user
        email = verified_email(claims)
        if email is not None:
            existing = await User.select(User.id).where(User.username == email).first()
            if existing is not None:
                return PendingLink(provider, subject, email, int(existing["id"]))
        return await self._create(provider, subject, email, claims)

    async def _create(self, provider: str, subject: str, email: str | None, claims: dict[str, Any]) -> User:
        address = email or f"{provider}-{hashlib.sha256(subject.encode()).hexdigest()[:20]}@users{NO_EMAIL_DOMAIN}"
        try:
            user = cast(
                User,
                await User.create_user(  # an instance of the class it is called on
                    username=address,
                    email=address,
                    password=secrets.token_urlsafe(48),
                    active=True,
                    nickname=nickname_from(claims, provider),
                    has_password=False,
                    terms_version=TERMS_VERSION,
                    terms_accepted_at=datetime.now(UTC),
                ),
            )
        except Exception:  # the same person signing in twice at once: the other request made the account
            again = await self._linked_user(provider, subject)
            if again is not None:
                return again
            raise
        await self.link(user.id, provider, subject, email or "")
        log.info("new account %s from provider %s", user.public_id, provider)
        return user

    async def sign_in_native(self, provider: str, id_token: str, nonce: str | None, client_ip: str, lang: str) -> User:
        """An app's id_token → the account; 409 ``account_link_required`` when a link must be confirmed."""
        claims = await self.client(provider).validate(id_token, nonce=nonce, native=True)
        found = await self.resolve(provider, claims)
        if isinstance(found, PendingLink):
            raise Conflict("account_link_required")
        return found
