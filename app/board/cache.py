"""A short-lived cache of public list pages, emptied by every board event (from any process).

Lists are the board's hot path and identical for every anonymous reader. A page is kept for a few
seconds at most; any write (a post, like, comment, deletion or moderation, in this process or, through
the bus, in another) empties the cache at once. Only view counts may lag, by at most the TTL.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import msgspec

from app.board.schemas import Post, PostList
from app.web.etag import etag_of


class CachedPage:
    __slots__ = ("_body", "_etag", "items", "next_cursor")

    def __init__(self, items: list[Post], next_cursor: str | None) -> None:
        self.items = items
        self.next_cursor = next_cursor
        self._body: bytes | None = None
        self._etag: str | None = None

    def etag(self) -> str:
        """The ETag of ``body()`` (hashed once)."""
        if self._etag is None:
            self._etag = etag_of(self.body())
        return self._etag

    def body(self) -> bytes:
        """The page as the API's JSON for a reader who liked none of it (built once)."""
        if self._body is None:
            self._body = msgspec.json.encode(PostList(items=self.items, next_cursor=self.next_cursor))
        return self._body


class ListCache:
    def __init__(self, ttl_s: float = 5.0, max_entries: int = 512) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.version = 0
        self._entries: OrderedDict[Any, tuple[float, CachedPage]] = OrderedDict()

    def bump(self) -> None:
        """Something changed: forget every page."""
        self.version += 1
        self._entries.clear()

    def get(self, key: Any) -> CachedPage | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if found[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, key: Any, version: int, page: CachedPage) -> None:
        """Keep ``page`` unless something changed since ``version`` was read (it may be stale)."""
        if self.ttl_s <= 0 or version != self.version:
            return
        self._entries[key] = (time.monotonic() + self.ttl_s, page)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
