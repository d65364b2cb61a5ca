"""Shapes of the personal-data endpoints (api.md: Accounts v1.1)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec


class AccountDelete(msgspec.Struct, kw_only=True):
    """``DELETE /api/me``: the password (accounts without one: a recent login) and what becomes of posts."""

    password: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    posts: Literal["delete", "anonymize"]
