"""Accounts tables: users (Piccolo's BaseUser, so Piccolo Admin logs them in), auth tokens, password-reset
tokens and the identities of people who sign in with Kakao or another OpenID Connect provider."""

from __future__ import annotations

import datetime
import hmac
import uuid
from typing import Any

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import UUID, Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.readable import Readable
from piccolo.table import Table

from app.core.cpu import run_cpu


class User(BaseUser, tablename="accounts_user"):
    """``username`` holds the normalised (trimmed, lower-case) email; ``public_id`` is the API's id."""

    public_id = UUID(default=uuid.uuid4, unique=True, index=True, help_text="The id clients see")
    nickname = Varchar(length=20, help_text="Shown on the board")
    created_at = Timestamptz(default=TimestamptzNow())
    has_password = Boolean(default=True, help_text="False for accounts made by signing in with a provider")
    terms_version = Varchar(length=20, default="", help_text="The terms and privacy version accepted at sign-up")
    terms_accepted_at = Timestamptz(null=True, default=None)

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s (%s)", columns=[cls.nickname, cls.username])

    # Piccolo's BaseUser hashes (600k PBKDF2 rounds, ~0.5 s of CPU) on the event loop; these do the same
    # steps with the hashing in a CPU thread (app.core.cpu), so sign-ups and logins do not stall the process.
    @classmethod
    async def hash_password_async(cls, password: str, salt: str = "", iterations: int | None = None) -> str:
        return await run_cpu(cls.hash_password, password, salt, iterations)

    @classmethod
    async def create_user(cls, username: str, password: str, **extra_params: Any) -> User:
        if not username:
            raise ValueError("A username must be provided.")
        cls._validate_password(password=password)
        hashed = await cls.hash_password_async(password)
        user = cls(username=username, password=hashed, **extra_params)  # a hashed value is kept as it is
        await user.save()
        return user

    @classmethod
    async def update_password(cls, user: str | int, password: str) -> None:
        if isinstance(user, str):
            clause = cls.username == user
        elif isinstance(user, int):
            clause = cls.id == user
        else:
            raise ValueError("The `user` arg must be a user id, or a username.")
        cls._validate_password(password=password)
        hashed = await cls.hash_password_async(password)
        await cls.update({cls.password: hashed}).where(clause)

    @classmethod
    async def login(cls, username: str, password: str) -> int | None:
        """The user's id when the password is right (and ``last_login`` updated), else None."""
        if len(username) > (cls.username.length or 255) or len(password) > cls._max_password_length:
            return None
        row = await cls.select(cls._meta.primary_key, cls.password).where(cls.username == username).first()
        if not row:
            await cls.hash_password_async(password)  # the same time as a wrong password: no enumeration
            return None
        stored = row["password"]
        _, iterations, salt, _ = cls.split_stored_password(stored)
        if not hmac.compare_digest(await cls.hash_password_async(password, salt, int(iterations)), stored):
            return None
        if int(iterations) != cls._pbkdf2_iteration_count:  # hashed under older settings: rehash now
            await cls.update_password(username, password)
        await cls.update({cls.last_login: datetime.datetime.now()}).where(cls.username == username)
        return int(row["id"])


class AuthToken(Table, tablename="accounts_token"):
    """A bearer token or a browser session; only a hash of the secret is stored."""

    id: Serial  # made by Piccolo; declared for the type checker
    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=User, null=False)
    kind = Varchar(length=8, choices=None, help_text="bearer | session")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked = Boolean(default=False)


class PasswordReset(Table, tablename="accounts_password_reset"):
    """A mailed one-time link to set a new password; only a hash of the secret is stored."""

    id: Serial  # made by Piccolo; declared for the type checker
    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=User, null=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class OidcIdentity(Table, tablename="accounts_identity"):
    """A user's account at an OpenID Connect provider (Kakao, …), known by the provider's subject id."""

    provider = Varchar(length=32, help_text="The provider's name in the settings (kakao, …)")
    subject = Varchar(length=255, help_text="The provider's id of the person (the id_token's sub)")
    user = ForeignKey(references=User, null=False, index=True)
    email = Varchar(length=255, default="", help_text="The email the provider gave when linking")
    created_at = Timestamptz(default=TimestamptzNow())
