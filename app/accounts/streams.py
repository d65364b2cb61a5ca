"""Open streams (SSE, WebSocket) keep their credential honest: every ``stream_auth_recheck_s`` they ask
whether the token or session they opened with still authenticates, and end when it was revoked (log out
everywhere, a password change, account deletion). A WebSocket then closes with 4401."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from litestar.connection import ASGIConnection

from app.accounts.auth import Auth
from app.accounts.service import AccountService

T = TypeVar("T")
MAX_PING_S = 15.0

# checks of one credential that run at the same time share one lookup: thousands of streams opened with one
# token (a user's devices and tabs, or a load test) fall due together when one event reaches them all
_inflight: dict[tuple[str, str], asyncio.Future[bool]] = {}


async def _token_is_live(accounts: AccountService, token: str, kind: str) -> bool:
    key = (token, kind)
    check = _inflight.get(key)
    if check is None or check.get_loop() is not asyncio.get_running_loop():
        check = asyncio.ensure_future(accounts.token_is_live(token, kind))  # type: ignore[arg-type]  # the kind comes from a validated Auth
        _inflight[key] = check
        check.add_done_callback(lambda done: _inflight.pop(key, None) if _inflight.get(key) is done else None)
    return await asyncio.shield(check)  # one stream going away does not cancel the others' answer


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
        if not await _token_is_live(self.accounts, self.auth.token, self.auth.kind):
            self.revoked = True
        return not self.revoked

    async def guard(self, items: AsyncIterator[T]) -> AsyncIterator[T]:
        """``items`` until the credential is found revoked (checked between items, when one is due).

        The check runs right after an item went out, not before it: an event that reaches every stream
        at once is not held back behind thousands of credential lookups.
        """
        async with contextlib.aclosing(items) as source:  # type: ignore[type-var]  # async generators have aclose(); AsyncIterator does not declare it
            async for item in source:
                yield item
                due = self.auth is not None and time.monotonic() - self._checked >= self.every_s
                if due and not await self.still_valid():
                    return
