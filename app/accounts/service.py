"""Accounts logic: sign-up, password login with failure limits, tokens and browser sessions, profile and
password changes, and revoking every credential of a user at once."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from piccolo_api.session_auth.tables import SessionsBase

from app.accounts.schemas import EMAIL_PATTERN, TERMS_VERSION, Author, SignupIn, UserOut
from app.accounts.tables import AuthToken, User
from app.accounts.token_cache import CHANNEL, USER_CHANGED, TokenCache
from app.core.db import point_read
from app.core.errors import AppError, Conflict, FieldError, Forbidden, InvalidInput, NotAuthenticated, RateLimited
from app.core.i18n import translate
from app.core.ratelimit import RateLimiter
from app.core.settings import Settings
from app.events.errors import SubscriptionLagged

log = logging.getLogger("saekdam.accounts")

EMAIL_RE = re.compile(EMAIL_PATTERN)
TokenKind = Literal["bearer", "session"]
GHOST_EMAIL = "deleted-user@saekdam.invalid"  # owns the anonymized posts of deleted accounts; never logs in
NO_EMAIL_DOMAIN = ".invalid"
SIGNUP_WINDOW_S = 3600  # accounts made by a provider that gave no verified email get a placeholder


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
        has_password=bool(user.has_password),
    )


def has_real_email(user: User) -> bool:
    """False for the placeholder address of an account whose provider gave no verified email."""
    return not user.email.endswith(NO_EMAIL_DOMAIN)


def check_nickname(nickname: str, lang: str, field: str = "nickname") -> list[FieldError]:
    if not 2 <= len(nickname) <= 20:
        return [FieldError(field=field, message=translate(lang, "field_length", min=2, max=20))]
    return []


def check_new_password(password: str, lang: str, field: str) -> list[FieldError]:
    if not 8 <= len(password) <= 128:
        return [FieldError(field=field, message=translate(lang, "field_length", min=8, max=128))]
    return []


_TOKEN_USER_SQL = (
    f"SELECT u.*, t.expires_at AS token_expires_at, t.revoked AS token_revoked "
    f"FROM {AuthToken._meta.tablename} t JOIN {User._meta.tablename} u "
    f'ON u.id = t."{AuthToken.user._meta.db_column_name}" '
    f"WHERE t.token_hash = {{}} AND t.kind = {{}}"
)


def _aware(value: datetime | str) -> datetime:
    """A timestamp from a raw row (SQLite may hand back text) as an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class AccountService:
    """Takes its collaborators in ``__init__`` so HTTP handlers, the CLI and tests share one path."""

    def __init__(
        self, settings: Settings, limiter: RateLimiter, bus: Any = None, token_cache_ttl_s: float = 30.0
    ) -> None:
        self.settings = settings
        self.limiter = limiter
        self.bus = bus  # carries revocations to the other processes' token caches (None: this process only)
        self.tokens = TokenCache(token_cache_ttl_s)
        self.tokens.enabled = bus is None  # with a bus: only once ``watch`` listens to the other processes
        User._pbkdf2_iteration_count = settings.password_iterations

    async def limit_signup(self, client_ip: str) -> None:
        """Count one sign-up from ``client_ip``; 429 past the per-address or the global hourly limit.

        Accounts are free, so without this every per-user limit (tasks, board, logins) is void.
        """
        s = self.settings
        for key, limit in (
            (f"signup:ip:{client_ip}", s.signup_per_address_per_hour),
            ("signup:all", s.signup_per_hour),
        ):
            wait = await self.limiter.acquire(key, limit, SIGNUP_WINDOW_S)
            if wait is not None:
                raise RateLimited(retry_after=int(wait) + 1)

    async def signup(self, data: SignupIn, lang: str, client_ip: str | None = None) -> User:
        """A new account; with ``client_ip`` (people, not the CLI) counted against the sign-up limits."""
        email = normalize_email(data.email)
        nickname = data.nickname.strip()
        errors: list[FieldError] = []
        if not EMAIL_RE.match(email) or email.endswith(NO_EMAIL_DOMAIN):  # .invalid can receive no mail
            errors.append(FieldError(field="email", message=translate(lang, "email_invalid")))
        errors += check_nickname(nickname, lang)
        if errors:
            raise InvalidInput(errors=errors)
        if client_ip is not None:  # before the lookup: probing which addresses have accounts counts too
            await self.limit_signup(client_ip)
        if await User.exists().where(User.username == email):
            raise Conflict("email_taken")
        try:
            user = cast(
                User,
                await User.create_user(
                    username=email,
                    password=data.password,
                    email=email,
                    nickname=nickname,
                    active=True,
                    terms_version=TERMS_VERSION,
                    terms_accepted_at=datetime.now(UTC),
                ),
            )  # create_user returns an instance of the class it is called on
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
                raise RateLimited(
                    "too_many_login_failures", retry_after=int(wait) + 1, params={"retry_after": int(wait) + 1}
                )
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
                expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
            )
        )
        return token, ttl

    async def resolve_token(self, token: str, kind: TokenKind) -> User | None:
        """The active user behind a live, unrevoked token of that kind, else None (cached: see token_cache)."""
        token_hash = hash_token(token)
        cache_key = kind[0] + token_hash
        cached = self.tokens.get(cache_key)
        if cached is not None:
            return cached
        generation = self.tokens.generation  # read before the query: a revocation meanwhile wins
        # one hand-written join (building Piccolo's prefetch query cost more than running it)
        rows = await point_read(User, _TOKEN_USER_SQL, token_hash, kind)
        if not rows:
            return None
        row = rows[0]
        expires_at, revoked = _aware(row.pop("token_expires_at")), row.pop("token_revoked")
        if revoked or expires_at <= datetime.now(UTC) or not row["active"]:
            return None
        user = User(**row, _exists_in_db=True)
        self.tokens.put(cache_key, generation, int(user.id), user, expires_at.timestamp())
        return user

    async def revoke_token(self, token: str) -> None:
        rows = (
            await AuthToken.update({AuthToken.revoked: True})
            .where(AuthToken.token_hash == hash_token(token))
            .returning(AuthToken.user)
        )
        for user_id in {int(r["user"]) for r in rows}:
            await self.user_changed(user_id)

    async def revoke_user_tokens(self, user_id: int, *, keep_token: str | None = None) -> int:
        """Revoke every bearer token and browser session of the user but ``keep_token`` (password change,
        log out everywhere, reset, deactivation, deletion), and end their Piccolo Admin sessions. Returns
        how many. Every process's token cache forgets the user (``user_changed``); open streams notice
        within ``stream_auth_recheck_s``.
        """
        where = (AuthToken.user == user_id) & AuthToken.revoked.eq(False)
        if keep_token is not None:
            where &= AuthToken.token_hash != hash_token(keep_token)
        revoked = await AuthToken.update({AuthToken.revoked: True}).where(where).returning(AuthToken.id)
        await SessionsBase.delete().where(SessionsBase.user_id == user_id)
        await self.user_changed(user_id)
        return len(revoked)

    async def user_changed(self, user_id: int) -> None:
        """Called after any change to a user's row or tokens (renamed, password, deactivated, deleted): this
        process's token cache forgets the user now, every other process on the ``accounts`` event."""
        self.tokens.drop_user(user_id)
        if self.bus is None:
            return
        try:
            await self.bus.publish(CHANNEL, USER_CHANGED, {"user": user_id})
        except Exception:  # the other processes' entries still expire within the cache's TTL
            log.exception("could not publish the change of user %s", user_id)

    async def watch(self) -> None:
        """Drop cached tokens on every ``accounts`` event from any process (runs for the process's life)."""
        assert self.bus is not None
        while True:
            try:
                async with self.bus.subscribe(CHANNEL) as events:
                    self.tokens.clear()  # whatever happened while we were not listening
                    self.tokens.enabled = True
                    async for event in events:
                        user_id = event.data.get("user") if isinstance(event.data, dict) else None
                        if isinstance(user_id, int):
                            self.tokens.drop_user(user_id)
                        else:
                            self.tokens.clear()
                return
            except SubscriptionLagged:
                self.tokens.enabled = False
                continue
            except asyncio.CancelledError:
                self.tokens.enabled = False
                raise
            except Exception:
                self.tokens.enabled = False
                log.exception("token cache watcher failed; retrying")
                self.tokens.clear()
                await asyncio.sleep(1)

    async def token_is_live(self, token: str, kind: TokenKind) -> bool:
        """Whether a token still authenticates (open streams ask this now and then)."""
        return await self.resolve_token(token, kind) is not None

    async def token_age_s(self, token: str) -> float | None:
        row = await AuthToken.select(AuthToken.created_at).where(AuthToken.token_hash == hash_token(token)).first()
        return None if row is None else (datetime.now(UTC) - _aware(row["created_at"])).total_seconds()

    # ------------------------------------------------------------------ changes by the user
    async def confirm_identity(
        self, user: User, password: str | None, token: str | None, client_ip: str, lang: str, field: str
    ) -> None:
        """The caller is this user now: the password (failures count like failed logins), or for an account
        without one a login within ``recent_login_s``. Wrong password: 400 naming ``field``."""
        if not user.has_password:
            age = await self.token_age_s(token) if token else None
            if age is None or age > self.settings.recent_login_s:
                raise Forbidden("recent_login_required")
            return
        if not password:
            raise InvalidInput(errors=[FieldError(field=field, message=translate(lang, "field_required"))])
        try:
            await self.authenticate(user.username, password, client_ip)
        except NotAuthenticated:
            raise InvalidInput(
                "wrong_password", errors=[FieldError(field=field, message=translate(lang, "wrong_password"))]
            ) from None

    async def update_profile(self, user: User, nickname: str | None, lang: str) -> User:
        if nickname is None:
            return user
        nickname = nickname.strip()
        errors = check_nickname(nickname, lang)
        if errors:
            raise InvalidInput(errors=errors)
        await User.update({User.nickname: nickname}).where(User.id == user.id)
        await self.user_changed(user.id)
        user.nickname = nickname
        return user

    async def set_password(self, user_id: int, password: str) -> None:
        await User.update_password(user_id, password)
        await User.update({User.has_password: True}).where(User.id == user_id)

    async def change_password(
        self, user: User, current: str | None, new: str, token: str | None, client_ip: str, lang: str
    ) -> int:
        """Set a new password and revoke every other token and session (``token`` stays valid)."""
        errors = check_new_password(new, lang, "new_password")
        if errors:
            raise InvalidInput(errors=errors)
        await self.confirm_identity(user, current, token, client_ip, lang, "current_password")
        await self.set_password(user.id, new)
        return await self.revoke_user_tokens(user.id, keep_token=token)

    async def ghost_id(self) -> int:
        """The id of the account that holds the anonymized posts of deleted accounts (made once)."""
        row = await User.select(User.id).where(User.username == GHOST_EMAIL).first()
        if row is None:
            with contextlib.suppress(Exception):  # made meanwhile by another process
                await User.create_user(
                    username=GHOST_EMAIL,
                    email=GHOST_EMAIL,
                    password=secrets.token_urlsafe(48),
                    nickname="-",
                    active=False,
                    has_password=False,
                )
            row = await User.select(User.id).where(User.username == GHOST_EMAIL).first()
        if row is None:
            raise AppError("internal_error", status=500)
        return int(row["id"])

    async def delete_user(self, user_id: int) -> None:
        """Delete the account row with its tokens, resets and identities (other domains' data goes first)."""
        await self.revoke_user_tokens(user_id)
        await User.delete().where(User.id == user_id)
        await self.user_changed(user_id)

    async def get_by_public_id(self, public_id: str) -> User | None:
        try:
            uid = uuid.UUID(public_id)
        except ValueError:
            return None
        return await User.objects().where(User.public_id == uid).first()

    async def authors(self, user_ids: set[int]) -> dict[int, Author]:
        """Public faces of many users (board lists): from the cache that renames and deletions empty, the
        rest in one query."""
        found: dict[int, Author] = {}
        missing: list[int] = []
        for user_id in user_ids:
            author = self.tokens.author(user_id)
            if author is None:
                missing.append(user_id)
            else:
                found[user_id] = author
        if not missing:
            return found
        generation = self.tokens.generation
        rows = await User.select(User.id, User.public_id, User.nickname).where(User.id.is_in(missing))
        for r in rows:
            author = found[r["id"]] = Author(id=str(r["public_id"]), nickname=r["nickname"])
            self.tokens.put_author(generation, r["id"], author)
        return found

    async def purge_expired_tokens(self) -> int:
        now = datetime.now(UTC)
        rows = await AuthToken.delete().where(AuthToken.expires_at < now - timedelta(days=1)).returning(AuthToken.id)
        return len(rows)
