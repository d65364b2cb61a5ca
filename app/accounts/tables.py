"""Accounts tables: users (Piccolo's BaseUser, so Piccolo Admin logs them in) and auth tokens."""

from __future__ import annotations

import uuid

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import UUID, Boolean, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.readable import Readable
from piccolo.table import Table


class User(BaseUser, tablename="accounts_user"):
    """``username`` holds the normalised (trimmed, lower-case) email; ``public_id`` is the API's id."""

    public_id = UUID(default=uuid.uuid4, unique=True, index=True, help_text="The id clients see")
    nickname = Varchar(length=20, help_text="Shown on the board")
    created_at = Timestamptz(default=TimestamptzNow())

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s (%s)", columns=[cls.nickname, cls.username])


class AuthToken(Table, tablename="accounts_token"):
    """A bearer token or a browser session; only a hash of the secret is stored."""

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(references=User, null=False)
    kind = Varchar(length=8, choices=None, help_text="bearer | session")
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked = Boolean(default=False)
