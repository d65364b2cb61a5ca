"""A per-process token → user cache (and user → public face, for board authors), emptied for a user by
every revocation or change in any API process.

Every authenticated request resolves its token; reading the token and user rows costs more than the rest
of a hot read such as ``GET /api/tasks/{id}``. Entries live ``ttl_s`` at most (a change made behind the
service's back, e.g. by hand in SQL, shows within that) and never past the token's own expiry. Whatever
the service changes (logout, "log out everywhere", password change or reset, profile, deactivation,
deletion) drops the user's entries here at once and, through the event bus channel ``accounts``, in every
other process (a Redis pub/sub message: well under a second). A generation counter keeps a lookup that
raced with a revocation from putting the stale row back.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

CHANNEL = "accounts"
USER_CHANGED = "user_changed"


class TokenCache:
    def __init__(self, ttl_s: float = 30.0, max_entries: int = 20_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.generation = 0
        self.enabled = True  # False while revocations from other processes could be missed (no listener)
        # token hash → (kept until (monotonic), token expiry (unix seconds), user id, user)
        self._entries: OrderedDict[str, tuple[float, float, int, Any]] = OrderedDict()
        # user id → (kept until, public face {id, nickname}): the authors of board cards and comments
        self._authors: OrderedDict[int, tuple[float, Any]] = OrderedDict()

    def get(self, token_hash: str) -> Any | None:
        found = self._entries.get(token_hash)
        if found is None:
            return None
        if found[0] < time.monotonic() or found[1] <= time.time():
            self._entries.pop(token_hash, None)
            return None
        return found[3]

    def put(self, token_hash: str, generation: int, user_id: int, user: Any, expires_at: float) -> None:
        """Keep the user unless something was dropped since ``generation`` was read (it may be stale)."""
        if self.ttl_s <= 0 or not self.enabled or generation != self.generation:
            return
        self._entries[token_hash] = (time.monotonic() + self.ttl_s, expires_at, user_id, user)
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)  # the oldest insert: entries are never refreshed in place

    def author(self, user_id: int) -> Any | None:
        found = self._authors.get(user_id)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put_author(self, generation: int, user_id: int, author: Any) -> None:
        if self.ttl_s <= 0 or not self.enabled or generation != self.generation:
            return
        self._authors[user_id] = (time.monotonic() + self.ttl_s, author)
        if len(self._authors) > self.max_entries:
            self._authors.popitem(last=False)

    def drop_user(self, user_id: int) -> None:
        self.generation += 1
        self._authors.pop(user_id, None)
        for key in [k for k, v in self._entries.items() if v[2] == user_id]:
            del self._entries[key]

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._authors.clear()

    def __len__(self) -> int:
        return len(self._entries)
