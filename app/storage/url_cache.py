"""Signed download URLs, made once and handed out again while at least half their lifetime is left.

Clients poll a task and scroll the board: every answer carries several signed URLs of the same objects,
and signing (two HMACs and URL encoding locally, a SigV4 presign on S3) costs more than the rest of such
a read. A URL asked for ``ttl`` seconds is reused while it has between ``ttl / 2`` and ``ttl`` seconds
left (never longer-lived than asked); a deleted key's URLs are forgotten. Stable URLs also let browsers
and the app keep images cached, and answers stay equal between polls (ETags hold).
"""

from __future__ import annotations

import time
from collections import OrderedDict


class SignedUrlCache:
    __slots__ = ("_entries", "max_entries")

    def __init__(self, max_entries: int = 50_000) -> None:
        self.max_entries = max_entries
        # storage key → {(attachment name, order of magnitude of the lifetime): (url, expires at, unix seconds)}
        self._entries: OrderedDict[str, dict[tuple[str | None, int], tuple[str, float]]] = OrderedDict()

    def get(self, key: str, ttl_s: int, filename: str | None) -> str | None:
        urls = self._entries.get(key)
        found = urls.get((filename, ttl_s.bit_length())) if urls is not None else None
        if found is None:
            return None
        left = found[1] - time.time()
        return found[0] if ttl_s / 2 <= left <= ttl_s else None

    def put(self, key: str, ttl_s: int, filename: str | None, url: str, expires_at: float) -> None:
        urls = self._entries.get(key)
        if urls is None:
            urls = self._entries[key] = {}
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        urls[(filename, ttl_s.bit_length())] = (url, expires_at)

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)
