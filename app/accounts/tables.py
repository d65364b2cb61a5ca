"""Accounts tables: users (Piccolo's BaseUser, so Piccolo Admin logs them in), auth tokens, password-reset
tokens and the identities of people who sign in with Kakao or another OpenID Connect provider."""

from __future__ import annotations

import uuid

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import UUID, Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.readable import Readable
from piccolo.table import Table


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
