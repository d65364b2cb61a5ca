"""Accounts logic: sign-up, password login with failure limits, tokens and browser sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import Literal

from app.accounts.schemas import EMAIL_PATTERN, Author, SignupIn, UserOut
from app.accounts.tables import AuthToken, User
from app.core.errors import Conflict, FieldError, InvalidInput, NotAuthenticated, RateLimited
from app.core.i18n import translate
from app.core.ratelimit import RateLimiter
from app.core.settings import Settings

EMAIL_RE = re.compile(EMAIL_PATTERN)
TokenKind = Literal["bearer", "session"]


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def to_user_out(user: User) -> UserOut:
    return UserOut(
        id=str(user.public_id),
        email=user.email,
        nickname=user.nickname,
        created_at=user.created_at,
        is_admin=bool(user.admin),
    )


def to_author(user: User) -> Author:
    return Author(id=str(user.public_id), nickname=user.nickname)


_TOKEN_USER_SQL = (
    f"SELECT u.*, t.expires_at AS token_expires_at, t.revoked AS token_revoked "
    f"FROM {AuthToken._meta.tablename} t JOIN {User._meta.tablename} u ON u.id = t.\"{AuthToken.user._meta.db_column_name}\" "
    f"WHERE t.token_hash = {{}} AND t.kind = {{}}"
)


def _aware(value: datetime | str) -> datetime:
    """A timestamp from a raw row (SQLite may hand back text) as an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class AccountService:
    """Takes its collaborators in ``__init__`` so HTTP handlers, the CLI and tests share one path."""

    def __init__(self, settings: Settings, limiter: RateLimiter) -> None:
        self.settings = settings
        self.limiter = limiter
        User._pbkdf2_iteration_count = settings.password_iterations

    async def signup(self, data: SignupIn, lang: str) -> User:
        email = normalize_email(data.email)
        nickname = data.nickname.strip()
        errors: list[FieldError] = []
        if not EMAIL_RE.match(email):
            errors.append(FieldError(field="email", message=translate(lang, "email_invalid")))
        if not 2 <= len(nickname) <= 20:
            errors.append(FieldError(field="nickname", message=translate(lang, "field_length", min=2, max=20)))
        if errors:
            raise InvalidInput(errors=errors)
        if await User.exists().where(User.username == email):
            raise Conflict("email_taken")
        try:
            user = await User.create_user(
                username=email, password=data.password, email=email, nickname=nickname, active=True
            )
        except Exception as exc:  # a concurrent sign-up with the same email hits the unique index
            if await User.exists().where(User.username == email):
                raise Conflict("email_taken") from exc
            raise
        return user

    async def create_superuser(self, email: str, password: str, nickname: str) -> User:
        user = await self.signup(SignupIn(email=email, password=password, nickname=nickname), "en")
        await User.update({User.admin: True, User.superuser: True}).where(User.id == user.id)
        user.admin = user.superuser = True
        return user

    async def authenticate(self, email: str, password: str, client_ip: str) -> User:
        """Check the password; repeated failures per email and per address are refused with 429."""
        email = normalize_email(email)
        s = self.settings
        email_key, ip_key = f"login:email:{email}", f"login:ip:{client_ip}"
        for key, limit, window in (
            (email_key, s.login_email_max_failures, s.login_email_window_s),
            (ip_key, s.login_ip_max_failures, s.login_ip_window_s),
        ):
            wait = await self.limiter.check(key, limit, window)
            if wait is not None:
                raise RateLimited("too_many_login_failures", retry_after=int(wait) + 1, params={"retry_after": int(wait) + 1})
        user_id = await User.login(username=email, password=password) if len(email) <= 100 else None
        user = await User.objects().where(User.id == user_id).first() if user_id is not None else None
        if user is None or not user.active:
            await self.limiter.record(email_key, s.login_email_window_s)
            await self.limiter.record(ip_key, s.login_ip_window_s)
            raise NotAuthenticated("invalid_credentials")
        return user

    async def issue_token(self, user: User, kind: TokenKind) -> tuple[str, int]:
        """A new random secret for ``user``; returns it (shown once) and its lifetime in seconds."""
        ttl = self.settings.access_token_ttl_s if kind == "bearer" else self.settings.session_ttl_s
        token = secrets.token_urlsafe(32)
        await AuthToken.insert(
            AuthToken(
                token_hash=hash_token(token),
                user=user.id,
                kind=kind,
                expires_at=datetime.now(timezone.utc) + timedelta(seconds=ttl),
            )
        )
        return token, ttl

    async def resolve_token(self, token: str, kind: TokenKind) -> User | None:
        """The active user behind a live, unrevoked token of that kind, else None."""
        # Every authenticated request asks this: one hand-written join (building Piccolo's prefetch query
        # cost more than running it), then the checks in Python.
        rows = await User.raw(_TOKEN_USER_SQL, hash_token(token), kind)
        if not rows:
            return None
        row = rows[0]
        expires_at, revoked = row.pop("token_expires_at"), row.pop("token_revoked")
        if revoked or _aware(expires_at) <= datetime.now(timezone.utc) or not row["active"]:
            return None
        return User(**row, _exists_in_db=True)

    async def revoke_token(self, token: str) -> None:
        await AuthToken.update({AuthToken.revoked: True}).where(AuthToken.token_hash == hash_token(token))

    async def get_by_public_id(self, public_id: str) -> User | None:
        try:
            uid = uuid.UUID(public_id)
        except ValueError:
            return None
        return await User.objects().where(User.public_id == uid).first()

    async def authors(self, user_ids: set[int]) -> dict[int, Author]:
        """Public faces of many users in one query (board lists)."""
        if not user_ids:
            return {}
        rows = await User.select(User.id, User.public_id, User.nickname).where(User.id.is_in(list(user_ids)))
        return {r["id"]: Author(id=str(r["public_id"]), nickname=r["nickname"]) for r in rows}

    async def purge_expired_tokens(self) -> int:
        now = datetime.now(timezone.utc)
        rows = await AuthToken.delete().where(AuthToken.expires_at < now - timedelta(days=1)).returning(AuthToken.id)
        return len(rows)
