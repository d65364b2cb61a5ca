"""Open streams (SSE, WebSocket) keep their credential honest: every ``stream_auth_recheck_s`` they ask
whether the token or session they opened with still authenticates, and end when it was revoked (log out
everywhere, a password change, account deletion). A WebSocket then closes with 4401."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from litestar.connection import ASGIConnection

from app.accounts.auth import Auth
from app.accounts.service import AccountService

T = TypeVar("T")
MAX_PING_S = 15.0


class CredentialWatch:
    def __init__(self, accounts: AccountService, auth: Auth | None, every_s: float) -> None:
        self.accounts = accounts
        self.auth = auth if auth is not None and auth.kind in ("bearer", "session") and auth.token else None
        self.every_s = every_s
        self.revoked = False
        self._checked = time.monotonic()

    @classmethod
    def of(cls, connection: ASGIConnection[Any, Any, Any, Any]) -> CredentialWatch:
        app = connection.app
        return cls(app.state.accounts, connection.scope.get("auth"), app.state.settings.stream_auth_recheck_s)

    @property
    def ping_interval_s(self) -> float:
        """Streams send a ping at least this often when idle, so that a check is never far off."""
        return min(MAX_PING_S, self.every_s)

    async def still_valid(self) -> bool:
        if self.auth is None:
            return True
        self._checked = time.monotonic()
        assert self.auth.token is not None and self.auth.kind is not None
        if not await self.accounts.token_is_live(self.auth.token, self.auth.kind):  # type: ignore[arg-type]
            self.revoked = True
        return not self.revoked

    async def guard(self, items: AsyncIterator[T]) -> AsyncIterator[T]:
        """``items`` until the credential is found revoked (checked between items, when one is due)."""
        async with contextlib.aclosing(items) as source:  # type: ignore[type-var]
            async for item in source:
                due = self.auth is not None and time.monotonic() - self._checked >= self.every_s
                if due and not await self.still_valid():
                    return
                yield item
