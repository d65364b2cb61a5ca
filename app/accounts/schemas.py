"""Accounts read and write shapes (api.md: Accounts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec


class UserOut(msgspec.Struct, kw_only=True):
    id: str
    email: str
    nickname: str
    created_at: datetime
    is_admin: bool


class Author(msgspec.Struct, kw_only=True):
    """The public face of a user (board posts and comments)."""

    id: str
    nickname: str


EMAIL_PATTERN = r"^\s*[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}\s*$"


class SignupIn(msgspec.Struct, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=254, pattern=EMAIL_PATTERN, extra={"message": "email_invalid"})]
    password: Annotated[str, msgspec.Meta(min_length=8, max_length=128)]
    nickname: Annotated[str, msgspec.Meta(min_length=2, max_length=20)]


class TokenIn(msgspec.Struct, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=128)]


class TokenOut(msgspec.Struct, kw_only=True):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
