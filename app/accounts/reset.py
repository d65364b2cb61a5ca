"""Password reset by mail: a one-time link valid ``password_reset_ttl_s``; using it revokes every session.

The request answers the same way, in the same time, whether or not the address has an account: the limits
are checked for every address alike, and the lookup, the token and the mail all happen in the background.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from app.accounts import mails
from app.accounts.service import AccountService, check_new_password, has_real_email, normalize_email
from app.accounts.tables import PasswordReset, User
from app.core.errors import FieldError, InvalidInput, RateLimited
from app.core.i18n import translate
from app.core.mail import Mail
from app.core.ratelimit import RateLimiter
from app.core.settings import Settings
from app.mail import Outbound

HOUR = 3600
CONFIRM_FAILURES_PER_HOUR = 30  # wrong or stale links one client address may try


def _hash(token: str) -> str:
    return hashlib.sha256(b"password-reset:" + token.encode()).hexdigest()


class PasswordResets:
    def __init__(self, settings: Settings, limiter: RateLimiter, accounts: AccountService, outbound: Outbound) -> None:
        self.settings = settings
        self.limiter = limiter
        self.accounts = accounts
        self.outbound = outbound

    def link(self, token: str) -> str:
        return f"{self.settings.base_url}/reset?token={token}"

    async def request(self, email: str, client_ip: str, lang: str) -> None:
        """Send a reset link to ``email`` if it has an account; 429 past the limits (for any address)."""
        email = normalize_email(email)
        s = self.settings
        for key, limit in (
            (f"reset:email:{email}", s.password_reset_per_email_per_hour),
            (f"reset:ip:{client_ip}", s.password_reset_per_address_per_hour),
        ):
            wait = await self.limiter.acquire(key, limit, HOUR)
            if wait is not None:
                raise RateLimited(retry_after=int(wait) + 1)
        self.outbound.send_later(lambda: self._mail_for(email, lang))

    async def _mail_for(self, email: str, lang: str) -> Mail | None:
        user = await User.objects().where(User.username == email).first()
        if user is None or not user.active or not has_real_email(user):
            return None
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        await PasswordReset.insert(
            PasswordReset(
                token_hash=_hash(token),
                user=user.id,
                created_at=now,
                expires_at=now + timedelta(seconds=self.settings.password_reset_ttl_s),
            )
        )
        return mails.password_reset(
            user.email, user.nickname, self.link(token), self.settings.password_reset_ttl_s // 60, lang
        )

    async def confirm(self, token: str, new_password: str, client_ip: str, lang: str) -> User:
        """Use a link once: set the password, revoke every token and session; 400 ``invalid_token`` else."""
        errors = check_new_password(new_password, lang, "new_password")
        if errors:
            raise InvalidInput(errors=errors)
        failures = f"reset:confirm:ip:{client_ip}"
        wait = await self.limiter.check(failures, CONFIRM_FAILURES_PER_HOUR, HOUR)
        if wait is not None:
            raise RateLimited(retry_after=int(wait) + 1)
        now = datetime.now(UTC)
        used = (
            await PasswordReset.update({PasswordReset.used_at: now})
            .where(
                (PasswordReset.token_hash == _hash(token))
                & PasswordReset.used_at.is_null()
                & (PasswordReset.expires_at > now)
            )
            .returning(PasswordReset.user)
        )
        user = await User.objects().where(User.id == used[0]["user"]).first() if used else None
        if user is None or not user.active:
            await self.limiter.record(failures, HOUR)
            message = translate(lang, "reset_link_invalid")
            raise InvalidInput("invalid_token", detail=message, errors=[FieldError(field="token", message=message)])
        # every other link of this user dies with this one
        await PasswordReset.update({PasswordReset.used_at: now}).where(
            (PasswordReset.user == user.id) & PasswordReset.used_at.is_null()
        )
        await self.accounts.set_password(user.id, new_password)
        await self.accounts.revoke_user_tokens(user.id)
        user.has_password = True
        return user

    async def purge_expired(self) -> int:
        cutoff = datetime.now(UTC) - timedelta(days=1)
        rows = await PasswordReset.delete().where(PasswordReset.expires_at < cutoff).returning(PasswordReset.id)
        return len(rows)
