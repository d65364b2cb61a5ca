"""Accounts read and write shapes (api.md: Accounts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

# the version of /terms and /privacy; sign-up records it. Change it whenever their text changes in substance.
TERMS_VERSION = "2026-12-01"


class UserOut(msgspec.Struct, kw_only=True):
    id: str
    email: str
    nickname: str
    created_at: datetime
    is_admin: bool
    # false for accounts made by signing in with a provider until a password is set (reset or account page)
    has_password: bool = True


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


class ProfileUpdate(msgspec.Struct, kw_only=True):
    """``PATCH /api/me``: only what a user may change about themselves (other fields are ignored)."""

    nickname: Annotated[str, msgspec.Meta(min_length=2, max_length=20)] | None = None


class PasswordChange(msgspec.Struct, kw_only=True):
    # absent or empty only for an account without a password (signed up with a provider), within recent_login_s
    current_password: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    new_password: Annotated[str, msgspec.Meta(min_length=8, max_length=128)]


class PasswordResetRequest(msgspec.Struct, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=254, pattern=EMAIL_PATTERN, extra={"message": "email_invalid"})]


class PasswordResetAccepted(msgspec.Struct, kw_only=True):
    """The same answer whether or not the address has an account."""

    status: Literal["accepted"] = "accepted"
    detail: str


class PasswordResetConfirm(msgspec.Struct, kw_only=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    new_password: Annotated[str, msgspec.Meta(min_length=8, max_length=128)]


class IdTokenIn(msgspec.Struct, kw_only=True):
    """``POST /api/auth/oidc/{provider}/token``: the id_token a native app got from the provider's SDK."""

    id_token: Annotated[str, msgspec.Meta(min_length=1, max_length=16384)]
    # the nonce the app sent to the provider, when it sent one (then the id_token must carry it)
    nonce: Annotated[str, msgspec.Meta(max_length=256)] | None = None
